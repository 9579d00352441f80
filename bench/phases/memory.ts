import { startChild } from '../lib/child.js'
import { get } from '../lib/http.js'
import { load } from '../lib/load.js'
import { routes } from './throughput.js'
import type { Ctx, Target } from '../lib/context.js'

interface Mem {
  rss: number
  heapUsed: number
  external: number
  gc: boolean
}

const mb = (b: number) => Math.round((b / 1048576) * 10) / 10

// RSS after warm-up and after N requests over the four measured routes, each after a full GC.
export async function memory(ctx: Ctx) {
  const { s } = ctx
  const child = await startChild(ctx.serviceScript, {
    env: { BENCH_SERVICE_ENV: JSON.stringify(ctx.env) },
    nodeArgs: ['--expose-gc'],
    logFile: `${ctx.out}/memory.log`,
  })
  try {
    await get(`${child.url}/health`)
    const paths = routes.map((r) => r.path)
    await load(child.url, { connections: s.connections, amount: 50_000, maxSeconds: 60, paths })
    const warm = await child.call<Mem>('mem')
    const run = await load(child.url, {
      connections: s.connections,
      amount: s.memoryRequests,
      maxSeconds: s.quick ? 180 : 900,
      paths,
    })
    const after = await child.call<Mem>('mem')
    const growth = mb(after.rss - warm.rss)
    const scaled =
      s.memoryRequests !== 1_000_000
        ? ` (${run.requests.toLocaleString('en-US')} requests, not the target's 1,000,000)`
        : ''
    const target: Target = {
      name: `memory: RSS growth over ${run.requests.toLocaleString('en-US')} requests${scaled ? ' (quick mode)' : ''}`,
      measured: `${growth} MB (RSS ${mb(warm.rss)} -> ${mb(after.rss)} MB; heap ${mb(warm.heapUsed)} -> ${mb(after.heapUsed)} MB)`,
      limit: '<= 10 MB over 1,000,000 requests',
      met: growth <= 10 && !run.cut && run.errors === 0,
      note: `${Math.round(run.rps)} req/s during the run${scaled}${run.cut ? '; cut by the time cap' : ''}`,
    }
    return { targets: [target], warm, after, run }
  } finally {
    await child.close()
  }
}

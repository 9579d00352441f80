import { startServiceTarget } from '../lib/child.js'
import { get } from '../lib/http.js'
import { load } from '../lib/load.js'
import { startService, usage, type ServiceProcess } from '../lib/service-process.js'
import { fmt, median } from '../lib/stats.js'
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
  const child = await startServiceTarget(ctx.root, ctx.serviceScript, {
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

export interface Footprint {
  name: string
  // resident MB after each run's warm-up, load and last probe round, and of it the anonymous and file-backed MB;
  // the peak over every run
  rss: number[]
  anon: number[]
  file: number[]
  peak: number
}

export interface Polled {
  rate: number
  requests: number
  seconds: number
  // user + system CPU of every thread, per 1,000 requests and per second of polling (millicores)
  msPer1000: number
  millicores: number
}

// The service's CPU while polled at `rate` requests a second over the four routes, probes due on the way included.
async function polled(svc: ServiceProcess, rate: number, seconds: number, paths: string[]): Promise<Polled> {
  const before = usage(svc.pid).cpuMs
  const run = await load(svc.url, {
    connections: Math.min(10, rate),
    amount: rate * seconds,
    rate,
    maxSeconds: seconds * 3,
    paths,
  })
  const ms = usage(svc.pid).cpuMs - before
  return {
    rate,
    requests: run.requests,
    seconds: run.seconds,
    msPer1000: (ms / run.requests) * 1000,
    millicores: ms / run.seconds,
  }
}

const configurations = (ctx: Ctx) => [
  { name: 'nothing configured', env: {} as Record<string, string> },
  { name: 'PostgreSQL and Redis', env: { DATABASE_URL: ctx.benchDbUrl, REDIS_URL: ctx.s.redisUrl } },
  { name: 'every check configured', env: ctx.env },
]

// The production command's resident memory, as a container's limit sees it: after a probe of every check, load, and
// polling at a quiet rate across probe rounds; its peak; and its CPU while polled at a busy and a quiet rate.
export async function footprint(ctx: Ctx) {
  const { s } = ctx
  const paths = routes.map((r) => r.path)
  const rows: Footprint[] = []
  let cpu: Polled[] = []
  for (const c of configurations(ctx)) {
    const row: Footprint = { name: c.name, rss: [], anon: [], file: [], peak: 0 }
    for (let i = 0; i < s.rounds; i++) {
      const svc = await startService(ctx.root, ctx.out, c.env)
      try {
        await get(`${svc.url}/health?fresh`)
        await load(svc.url, { connections: s.connections, amount: 20_000, maxSeconds: 60, paths })
        if (c.env === ctx.env && i === 0)
          cpu = [
            await polled(svc, s.pollRate, s.pollSeconds, paths),
            await polled(svc, s.quietRate, s.pollSeconds, paths),
          ]
        // then as a fleet polls it: the steady state holds the probe rounds that fall due meanwhile
        else await polled(svc, s.quietRate, 12, paths)
        const u = usage(svc.pid)
        row.rss.push(u.rssMb)
        row.anon.push(u.anonMb)
        row.file.push(u.fileMb)
        row.peak = Math.max(row.peak, u.peakMb)
      } finally {
        await svc.stop()
      }
    }
    rows.push(row)
  }
  const full = rows[rows.length - 1]
  const targets: Target[] = [
    {
      name: 'footprint: resident memory of `node dist/service.js` with every check configured',
      measured: `median ${fmt(median(full.rss), 1)} MB steady (${fmt(median(full.anon), 1)} anonymous, ${fmt(median(full.file), 1)} file-backed), peak ${fmt(full.peak, 1)} MB`,
      limit: '<= 120 MB, peak included',
      met: full.peak <= 120,
      note: rows.map((r) => `${r.name}: ${r.rss.map((x) => fmt(x, 1)).join(', ')} MB`).join('; '),
    },
  ]
  return { targets, rows, cpu }
}

// The memory section of bench/RESULTS.md: the leak check, then the footprint by configuration and the CPU.
export function memoryReport(
  me: Awaited<ReturnType<typeof memory>>,
  fp: Awaited<ReturnType<typeof footprint>>,
  memoryRequests: number,
): string[] {
  const md = [
    '## Memory',
    '',
    `Resident memory (VmRSS) of the production command, \`node dist/service.js\` (the probe thread included), after a \`/health?fresh\` that probes every check, 20,000 requests over the four routes, then polling at ${fp.cpu[1].rate} requests a second for at least 12 s (two or more rounds of probes of the 5 s cache lifetime); the peak (VmHWM) is the highest over the whole run; each configuration started ${fp.rows[0].rss.length} times:`,
    '',
    '| configuration | RSS MB, steady (each start) | median | of it anonymous (median) | of it file-backed (median) | peak (VmHWM) |',
    '|---|---|---|---|---|---|',
    ...fp.rows.map(
      (r) =>
        `| ${r.name} | ${r.rss.map((x) => fmt(x, 1)).join(', ')} | ${fmt(median(r.rss), 1)} | ${fmt(median(r.anon), 1)} | ${fmt(median(r.file), 1)} | ${fmt(r.peak, 1)} |`,
    ),
    '',
    'Anonymous pages are the process’s own (heaps, stacks, buffers); file-backed pages are the parts of the node binary and libraries it has run, clean pages the kernel shares between processes and can reclaim.',
    '',
    'CPU of every thread (user + system), every check configured, polled at a steady rate over the four routes, the probes that fall due included:',
    '',
    '| requests a second | requests | seconds | ms per 1,000 requests | millicores |',
    '|---|---|---|---|---|',
    ...fp.cpu.map(
      (c) =>
        `| ${c.rate} | ${c.requests.toLocaleString('en-US')} | ${fmt(c.seconds, 1)} | ${fmt(c.msPer1000, 1)} | ${fmt(c.millicores, 1)} |`,
    ),
    '',
    `Leak check (the bench target, which loads the compiled modules through the TypeScript loader, so its RSS is higher than the production command's): RSS ${fmt(me.warm.rss / 1048576, 1)} MB after warm-up, ${fmt(me.after.rss / 1048576, 1)} MB after ${me.run.requests.toLocaleString('en-US')} requests over the four routes (each reading after a forced GC: ${me.warm.gc ? 'yes' : 'no'}). Heap used ${fmt(me.warm.heapUsed / 1048576, 1)} -> ${fmt(me.after.heapUsed / 1048576, 1)} MB.${memoryRequests !== 1_000_000 ? ` ${memoryRequests.toLocaleString('en-US')} requests, not one million.` : ''}`,
    '',
  ]
  return md
}

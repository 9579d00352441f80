import { startChild, startServiceTarget, type Child } from '../lib/child.js'
import { get } from '../lib/http.js'
import { load } from '../lib/load.js'
import { summarize, type ProfileSummary } from '../lib/cpuprofile.js'
import type { Canned } from '../targets/ceiling.js'
import { routes } from './throughput.js'
import type { Ctx } from '../lib/context.js'

export interface ProfileRun {
  path: string
  target: 'service' | 'fastify'
  file: string
  rps: number
  summary: ProfileSummary
}

async function profiled(ctx: Ctx, child: Child, target: ProfileRun['target'], path: string): Promise<ProfileRun> {
  const { s } = ctx
  await load(child.url + path, { connections: s.connections, seconds: s.warmSeconds })
  const file = `${ctx.out}/profiles/${target}-${path.slice(1).replace(/\W/g, '-')}.cpuprofile`
  await child.call('profile-start')
  const r = await load(child.url + path, { connections: s.connections, seconds: s.profileSeconds })
  await child.call('profile-stop', file)
  return { path, target, file, rps: r.rps, summary: summarize(file, r.requests) }
}

// CPU profiles under load, one route at a time after warm-up: the service, then its Fastify ceiling for comparison.
export async function profile(ctx: Ctx) {
  const out: ProfileRun[] = []
  const service = await startServiceTarget(ctx.root, ctx.serviceScript, {
    env: { BENCH_SERVICE_ENV: JSON.stringify(ctx.env) },
    logFile: `${ctx.out}/profile.log`,
  })
  const canned: Canned[] = []
  try {
    await get(`${service.url}/health`)
    for (const path of ['/ready', '/health']) out.push(await profiled(ctx, service, 'service', path))
    for (const r of routes) {
      const a = await get(service.url + r.path)
      const headers = Object.fromEntries(
        Object.entries(a.headers).filter(([k]) => k === 'content-type' || k === 'cache-control'),
      )
      canned.push({ url: r.path, route: r.route, status: a.status, headers, body: a.body })
    }
  } finally {
    await service.close()
  }
  const ceiling = await startChild(ctx.ceilingScript, {
    env: { BENCH_CEILING: 'fastify', BENCH_CANNED: JSON.stringify(canned) },
    logFile: `${ctx.out}/ceiling-fastify.log`,
  })
  try {
    for (const path of ['/ready', '/health']) out.push(await profiled(ctx, ceiling, 'fastify', path))
  } finally {
    await ceiling.close()
  }
  return out
}

import { Redis } from 'ioredis'
import { startServiceTarget, type Child } from '../lib/child.js'
import type { Ctx } from '../lib/context.js'
import { median, round } from '../lib/stats.js'
import { throughput } from './throughput.js'

// The probes of the bench's one loopback provider, counted at the provider, with 1 and 3 replicas sharing a
// coordination Redis (HEALTH_FLEET_REDIS_URL), then the probe routes' ratios with the fleet on and off (A B B A):
// three replicas must call the providers as one does, and sharing must cost the request path nothing.

// the default lifetime of the infrastructure checks, for every check: a shorter one makes a replica's own lateness
// (its timers, its queue of probes) a larger share of each period than it is in use
const LIFETIME_MS = 5000
const WINDOW_MS = 30_000

interface FleetCalls {
  replicas: number
  // calls a minute to the provider, all endpoints called at least three times in the window
  perMinute: number
  // by endpoint (method and path)
  byPath: Record<string, number>
}

async function callsWith(ctx: Ctx, replicas: number, fleetUrl: string): Promise<FleetCalls> {
  const env = {
    ...ctx.env,
    HEALTH_FLEET_REDIS_URL: fleetUrl,
    HEALTH_CACHE_TTL_MS: String(LIFETIME_MS),
    HEALTH_THIRD_PARTY_CACHE_TTL_MS: String(LIFETIME_MS),
    // no queue of probes: a single replica that waits its turn probes later than three that share the work, and
    // would seem to call less often for it
    HEALTH_MAX_CONCURRENT_PROBES: '64',
  }
  const targets: Child[] = []
  try {
    for (let i = 0; i < replicas; i++)
      targets.push(
        await startServiceTarget(ctx.root, ctx.serviceScript, {
          env: { BENCH_SERVICE_ENV: JSON.stringify({ ...env, HEALTH_SERVICE_ID: `bench-${i + 1}` }) },
          logFile: `${ctx.out}/fleet.log`,
        }),
      )
    // two lifetimes to settle, then the window
    await new Promise((r) => setTimeout(r, 2 * LIFETIME_MS))
    // each endpoint's calls a minute, from the times of its first and last call in the window: a count alone
    // moves by one a check with where the window falls in its period, and the checks start in step
    const seen = new Map<string, { n: number; first: number; last: number }>()
    ctx.fake.onHit = (key, at) => {
      const s = seen.get(key)
      if (s) Object.assign(s, { n: s.n + 1, last: at })
      else seen.set(key, { n: 1, first: at, last: at })
    }
    await new Promise((r) => setTimeout(r, WINDOW_MS))
    ctx.fake.onHit = undefined
    const byPath = Object.fromEntries(
      [...seen]
        .filter(([, s]) => s.n >= 3)
        .map(([key, s]) => [key, round(((s.n - 1) / (s.last - s.first)) * 60_000, 1)]),
    ) as Record<string, number>
    const perMinute = round(
      Object.values(byPath).reduce((a, b) => a + b, 0),
      1,
    )
    return { replicas, perMinute, byPath }
  } finally {
    await Promise.all(targets.map((t) => t.close()))
  }
}

export async function fleetPhase(ctx: Ctx) {
  const url = new URL(ctx.s.redisUrl)
  // a database of the bench's own, emptied first, so no earlier run's leases or results count
  url.pathname = '/14'
  const admin = new Redis(url.href)
  await admin.flushdb()
  admin.disconnect()
  const calls: FleetCalls[] = []
  for (const n of [1, 3]) {
    calls.push(await callsWith(ctx, n, url.href))
    ctx.log(`  ${n} replica(s): ${calls.at(-1)!.perMinute} provider calls a minute`)
    ctx.log(`    ${JSON.stringify(calls.at(-1)!.byPath)}`)
  }
  // BENCH_FLEET_RATIOS=0: the calls alone, a minute instead of four throughput runs
  if (process.env.BENCH_FLEET_RATIOS === '0') return { calls, rows: [] }
  const ratios: Record<'alone' | 'fleet', Record<string, number[]>> = { alone: {}, fleet: {} }
  for (const mode of ['alone', 'fleet', 'fleet', 'alone'] as const) {
    const env = mode === 'fleet' ? { ...ctx.env, HEALTH_FLEET_REDIS_URL: url.href } : ctx.env
    const tp = await throughput({ ...ctx, env })
    for (const r of tp.rows)
      if (r.kind === 'service' && r.ratio !== undefined) (ratios[mode][r.path] ??= []).push(r.ratio)
  }
  const rows = Object.keys(ratios.alone).map((path) => ({
    path,
    alone: round(median(ratios.alone[path]), 3),
    fleet: round(median(ratios.fleet[path] ?? []), 3),
  }))
  for (const r of rows) ctx.log(`  ${r.path}: alone ${r.alone}, fleet ${r.fleet}`)
  return { calls, rows }
}

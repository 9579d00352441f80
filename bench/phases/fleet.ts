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
  calls: number
  perReplica: number
  // by provider endpoint (method and path)
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
    const before = new Map(ctx.fake.hits)
    await new Promise((r) => setTimeout(r, WINDOW_MS))
    const byPath = Object.fromEntries(
      [...ctx.fake.hits].map(([path, n]) => [path, n - (before.get(path) ?? 0)]).filter(([, n]) => Number(n) > 0),
    ) as Record<string, number>
    const calls = Object.values(byPath).reduce((a, b) => a + b, 0)
    return { replicas, calls, perReplica: round(calls / replicas, 1), byPath }
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
    ctx.log(`  ${n} replica(s): ${calls.at(-1)!.calls} provider calls in ${WINDOW_MS / 1000} s`)
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

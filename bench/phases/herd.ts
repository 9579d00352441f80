import { startServiceTarget } from '../lib/child.js'
import { get } from '../lib/http.js'
import { load } from '../lib/load.js'
import { backendsGone, statements } from '../lib/pg.js'
import { round } from '../lib/stats.js'
import type { Ctx, Target } from '../lib/context.js'

export interface ProbeInfo {
  name: string
  kind: string
  tier: string
  probed: boolean
  probes: number
  ttlMs: number
  timeoutMs: number
}

// Starts a service, runs `work` against it, closes it, and returns what the runner and PostgreSQL counted.
// On demand: the herd measures what polling costs, which a background refresh would add to.
async function counted(ctx: Ctx, env: Record<string, string>, work: (url: string) => Promise<void>) {
  const before = await statements(ctx.admin)
  const child = await startServiceTarget(ctx.root, ctx.serviceScript, {
    env: { BENCH_SERVICE_ENV: JSON.stringify({ ...env, HEALTH_REFRESH: 'on-demand' }) },
    logFile: `${ctx.out}/herd.log`,
  })
  let probes: ProbeInfo[]
  try {
    await work(child.url)
    probes = await child.call<ProbeInfo[]>('probes')
  } finally {
    await child.close()
  }
  // the pool's session must be gone for its statistics to be final
  const settled = await backendsGone(ctx.admin)
  const after = await statements(ctx.admin)
  return {
    probes,
    pgStatements: after.statements - before.statements,
    pgSessions: after.sessions - before.sessions,
    settled,
  }
}

export async function herd(ctx: Ctx) {
  const { s } = ctx
  const targets: Target[] = []

  let burst = { requests: 0, statuses: {} as Record<string, number>, errors: 0, seconds: 0 }
  const cold = await counted(ctx, ctx.env, async (url) => {
    const r = await load(`${url}/health`, { connections: s.herd, amount: s.herd, maxSeconds: 60 })
    burst = { requests: r.requests, statuses: r.statuses, errors: r.errors, seconds: r.seconds }
  })
  const probed = cold.probes.filter((p) => p.probed)
  const notOne = probed.filter((p) => p.probes !== 1)
  targets.push({
    name: `herd: ${s.herd} concurrent cold /health -> 1 probe per check (runner)`,
    measured:
      notOne.length === 0
        ? `1 probe for each of ${probed.length} probed checks`
        : notOne.map((p) => `${p.name}=${p.probes}`).join(', '),
    limit: 'exactly 1',
    met: notOne.length === 0 && burst.requests === s.herd && burst.errors === 0,
    note: `${burst.requests}/${s.herd} answered (${JSON.stringify(burst.statuses)}), ${burst.errors} errors`,
  })
  targets.push({
    name: 'herd: statements PostgreSQL received on the cold burst',
    measured: `${cold.pgStatements} (${cold.pgSessions} session)`,
    limit: 'exactly 1',
    met: cold.pgStatements === 1 && cold.settled,
  })

  // sustained: maximum-rate polling with a short cache lifetime
  const env = {
    ...ctx.env,
    HEALTH_CACHE_TTL_MS: String(s.sustainTtlMs),
    HEALTH_THIRD_PARTY_CACHE_TTL_MS: String(s.sustainTtlMs * 2),
  }
  let window = 0
  let polled = 0
  let slowest = ''
  const sustained = await counted(ctx, env, async (url) => {
    const started = performance.now()
    await get(`${url}/health`)
    const r = await load(`${url}/health`, { connections: s.connections, seconds: s.sustainSeconds })
    window = performance.now() - started
    polled = r.requests + 1
    slowest = `p50 ${round(r.p50, 2)} ms, p99 ${round(r.p99, 1)} ms`
  })
  const over = sustained.probes.filter((p) => p.probed && p.probes > Math.floor(window / p.ttlMs) + 1)
  const pgBound = Math.floor(window / s.sustainTtlMs) + 1
  targets.push({
    name: `sustained: ${Math.round(window / 1000)} s of max-rate /health -> probes <= window / ttl + 1 (runner)`,
    measured:
      over.length === 0
        ? 'every check within its bound'
        : over.map((p) => `${p.name}=${p.probes} (bound ${Math.floor(window / p.ttlMs) + 1})`).join(', '),
    limit: `<= window / ttl + 1 (ttl ${s.sustainTtlMs} ms infra, ${s.sustainTtlMs * 2} ms third-party)`,
    met: over.length === 0,
    note: `${polled} requests answered in the window (${slowest})`,
  })
  targets.push({
    name: 'sustained: statements PostgreSQL received',
    measured: String(sustained.pgStatements),
    limit: `<= ${pgBound}`,
    met: sustained.pgStatements <= pgBound && sustained.settled,
  })
  return { targets, cold, sustained: { ...sustained, windowMs: window, polled }, burst }
}

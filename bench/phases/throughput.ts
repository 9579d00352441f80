import { startChild, startServiceTarget, type Child } from '../lib/child.js'
import type { Canned } from '../targets/ceiling.js'
import { get } from '../lib/http.js'
import { load, type LoadResult } from '../lib/load.js'
import { median, percentile, round } from '../lib/stats.js'
import type { Ctx, Target } from '../lib/context.js'

export const routes = [
  { path: '/ready', route: '/ready', min: 0.95 },
  { path: '/health', route: '/health', min: 0.9 },
  { path: '/health/postgres', route: '/health/:service', min: 0.9 },
  { path: '/health?verbose', route: '/health', min: 0.85 },
] as const

// Measured next to /ready without a floor: a scrape renders every series anew, so its ceiling (the same bytes
// replayed) says little; it is left out of the memory and profile phases, which poll the probe routes.
const measured: readonly { path: string; route: string; min?: number }[] = [
  ...routes,
  { path: '/metrics', route: '/metrics' },
]

const kinds = ['service', 'fastify', 'node'] as const
type Kind = (typeof kinds)[number]

export interface Row {
  path: string
  kind: Kind
  rounds: LoadResult[]
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
  status: string
  // median, 25th and 75th percentile of the ratio measured round by round (the service's round against the ceiling's)
  ratio?: number
  ratioSpread?: [number, number]
  ratioNode?: number
}

export interface CheckOutcome {
  name: string
  status: string
  reason?: string
  output?: string
}

// Headers that depend on the moment or the connection, not on the route.
const volatile = new Set(['date', 'connection', 'keep-alive', 'content-length'])
const stable = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => !volatile.has(k)))

// One set of processes: the service, warmed, and its two ceilings answering the bytes it answers now.
async function startTargets(ctx: Ctx, block: number) {
  const { s } = ctx
  const service = await startServiceTarget(ctx.root, ctx.serviceScript, {
    env: { BENCH_SERVICE_ENV: JSON.stringify(ctx.env) },
    logFile: `${ctx.out}/service.log`,
  })
  const children: Child[] = [service]
  try {
    // the first /health probes everything; its answer waits for the slowest check
    const cold = await get(`${service.url}/health`)
    ctx.log(`  processes ${block + 1}/${s.tpBlocks}: cold /health ${cold.status} in ${round(cold.ms)} ms`)
    await load(service.url, { connections: s.connections, seconds: s.warmSeconds, paths: measured.map((r) => r.path) })

    const canned: Canned[] = []
    for (const r of measured) {
      const a = await get(service.url + r.path)
      canned.push({ url: r.path, route: r.route, status: a.status, headers: stable(a.headers), body: a.body })
    }

    const urls: Record<Kind, string> = { service: service.url, fastify: '', node: '' }
    for (const kind of ['fastify', 'node'] as const) {
      const c = await startChild(ctx.ceilingScript, {
        env: { BENCH_CEILING: kind, BENCH_CANNED: JSON.stringify(canned) },
        logFile: `${ctx.out}/ceiling-${kind}.log`,
      })
      children.push(c)
      urls[kind] = c.url
      for (const want of canned) {
        const got = await get(c.url + want.url)
        const same =
          got.status === want.status &&
          got.body === want.body &&
          JSON.stringify(stable(got.headers)) === JSON.stringify(want.headers)
        if (!same) throw new Error(`the ${kind} ceiling does not answer ${want.url} byte for byte like the service`)
      }
      await load(c.url, { connections: s.connections, seconds: s.warmSeconds, paths: measured.map((r) => r.path) })
    }
    return { children, urls, canned }
  } catch (err) {
    for (const c of children) await c.close()
    throw err
  }
}

export async function throughput(ctx: Ctx) {
  const { s } = ctx
  // The machine's speed drifts by tens of percent within seconds, so a ratio is taken within each round, where the
  // service and its ceilings run back to back, interleaved (see below). A process also keeps a speed of its own for
  // its lifetime (where it runs, what its JIT made of the warm-up), so the rounds are spread over several sets of
  // freshly started processes.
  const raw = new Map<string, LoadResult[]>()
  const perBlock = Math.ceil(s.tpRounds / s.tpBlocks)
  let canned: Canned[] = []
  let done = 0
  for (let block = 0; block < s.tpBlocks; block++) {
    const t = await startTargets(ctx, block)
    if (block === 0) canned = t.canned
    try {
      for (let i = 0; i < perBlock && done < s.tpRounds; i++, done++) {
        for (const r of measured) {
          // A B N B A (B A N A B the next round): the service and its Fastify ceiling each run two half-slices
          // placed symmetrically around the same instant, so a drift of the machine's speed within the round
          // cancels out of their ratio; bare node:http, for reference, runs one whole slice in the middle
          const [a, b] = done % 2 ? (['fastify', 'service'] as const) : (['service', 'fastify'] as const)
          const half = { connections: s.connections, seconds: s.seconds / 2 }
          const slices: [Kind, LoadResult][] = []
          for (const kind of [a, b, 'node', b, a] as const) {
            slices.push([
              kind,
              await load(
                t.urls[kind] + r.path,
                kind === 'node' ? { connections: s.connections, seconds: s.seconds } : half,
              ),
            ])
          }
          for (const kind of kinds) {
            const key = `${r.path} ${kind}`
            raw.set(key, [...(raw.get(key) ?? []), merge(slices.filter(([k]) => k === kind).map(([, x]) => x))])
          }
        }
      }
    } finally {
      for (const c of t.children) await c.close()
    }
    ctx.log(`  ${done}/${s.tpRounds} rounds done`)
  }
  ctx.log(`  ceilings answered byte for byte like the service (status, body, content-type, cache-control)`)
  const outcomes = checkOutcomes(canned.find((c) => c.url === '/health')!.body)

  const rows: Row[] = []
  const targets: Target[] = []
  for (const r of measured) {
    const byKind = {} as Record<Kind, Row>
    for (const kind of kinds) {
      const rounds = raw.get(`${r.path} ${kind}`)!
      const statuses: Record<string, number> = {}
      for (const x of rounds) for (const [k, v] of Object.entries(x.statuses)) statuses[k] = (statuses[k] ?? 0) + v
      byKind[kind] = {
        path: r.path,
        kind,
        rounds,
        rps: median(rounds.map((x) => x.rps)),
        p50: median(rounds.map((x) => x.p50)),
        p99: median(rounds.map((x) => x.p99)),
        errors: rounds.reduce((a, x) => a + x.errors, 0),
        non2xx: Object.entries(statuses).reduce((a, [k, v]) => a + (k.startsWith('2') ? 0 : v), 0),
        status: Object.keys(statuses).join('/'),
      }
    }
    const paired = (a: Kind, b: Kind) => byKind[a].rounds.map((x, i) => x.rps / byKind[b].rounds[i].rps)
    const ratios = paired('service', 'fastify')
    byKind.service.ratio = median(ratios)
    byKind.service.ratioSpread = [percentile(ratios, 25), percentile(ratios, 75)]
    byKind.service.ratioNode = median(paired('service', 'node'))
    byKind.fastify.ratioNode = median(paired('fastify', 'node'))
    rows.push(byKind.service, byKind.fastify, byKind.node)
    const measuredRatio = `${round(byKind.service.ratio, 3)} (middle half of ${ratios.length} rounds ${round(byKind.service.ratioSpread[0], 2)}-${round(byKind.service.ratioSpread[1], 2)}; ${Math.round(byKind.service.rps)} vs ${Math.round(byKind.fastify.rps)} req/s)`
    targets.push(
      r.min === undefined
        ? {
            name: `${r.path} answers without errors (its rate against its Fastify ceiling is reported, no floor)`,
            measured: measuredRatio,
            limit: 'no errors',
            met: byKind.service.errors === 0,
          }
        : {
            name: `${r.path} >= ${r.min} x its Fastify ceiling`,
            measured: measuredRatio,
            limit: `>= ${r.min}`,
            met: byKind.service.ratio >= r.min && byKind.service.errors === 0,
          },
    )
  }
  return {
    rows,
    targets,
    outcomes,
    bodyBytes: Object.fromEntries(canned.map((c) => [c.url, Buffer.byteLength(c.body)])),
  }
}

// One round of a target from its slices: requests and seconds add up; latency percentiles are the
// request-weighted mean of the slices' (close enough for slices of the same target a second apart).
function merge(xs: LoadResult[]): LoadResult {
  const requests = xs.reduce((n, x) => n + x.requests, 0)
  const seconds = xs.reduce((n, x) => n + x.seconds, 0)
  const weighted = (f: (x: LoadResult) => number) =>
    xs.reduce((n, x) => n + f(x) * x.requests, 0) / Math.max(1, requests)
  const statuses: Record<string, number> = {}
  for (const x of xs) for (const [k, v] of Object.entries(x.statuses)) statuses[k] = (statuses[k] ?? 0) + v
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: weighted((x) => x.p50),
    p99: weighted((x) => x.p99),
    errors: xs.reduce((n, x) => n + x.errors, 0),
    timeouts: xs.reduce((n, x) => n + x.timeouts, 0),
    statuses,
    cut: xs.some((x) => x.cut),
  }
}

function checkOutcomes(body: string): CheckOutcome[] {
  const report = JSON.parse(body) as {
    checks?: Record<string, { componentId: string; status: string; reason?: string; output?: string }[]>
  }
  const out: CheckOutcome[] = []
  for (const [key, entries] of Object.entries(report.checks ?? {})) {
    if (!key.endsWith(':responseTime')) continue
    const e = entries[0]
    out.push({ name: key.split(':')[0], status: e.status, reason: e.reason, output: e.output })
  }
  return out
}

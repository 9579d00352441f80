import { startChild, type Child } from '../lib/child.js'
import type { Canned } from '../targets/ceiling.js'
import { get } from '../lib/http.js'
import { load, type LoadResult } from '../lib/load.js'
import { median, round } from '../lib/stats.js'
import type { Ctx, Target } from '../lib/context.js'

export const routes = [
  { path: '/ready', route: '/ready', min: 0.95 },
  { path: '/health', route: '/health', min: 0.9 },
  { path: '/health/postgres', route: '/health/:service', min: 0.9 },
  { path: '/health?verbose', route: '/health', min: 0.85 },
] as const

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
  ratio?: number
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

export async function throughput(ctx: Ctx) {
  const { s } = ctx
  const service = await startChild(ctx.serviceScript, { env: { BENCH_SERVICE_ENV: JSON.stringify(ctx.env) }, logFile: `${ctx.out}/service.log` })
  const children: Child[] = [service]
  try {
    // the first /health probes everything; its answer waits for the slowest check
    const cold = await get(`${service.url}/health`)
    ctx.log(`  cold /health: ${cold.status} in ${round(cold.ms)} ms`)
    await load(service.url, { connections: s.connections, seconds: s.warmSeconds, paths: routes.map((r) => r.path) })

    const canned: Canned[] = []
    for (const r of routes) {
      const a = await get(service.url + r.path)
      canned.push({ url: r.path, route: r.route, status: a.status, headers: stable(a.headers), body: a.body })
    }
    const outcomes = checkOutcomes(canned.find((c) => c.url === '/health')!.body)

    const urls: Record<Kind, string> = { service: service.url, fastify: '', node: '' }
    for (const kind of ['fastify', 'node'] as const) {
      const c = await startChild(ctx.ceilingScript, { env: { BENCH_CEILING: kind, BENCH_CANNED: JSON.stringify(canned) }, logFile: `${ctx.out}/ceiling-${kind}.log` })
      children.push(c)
      urls[kind] = c.url
      for (const want of canned) {
        const got = await get(c.url + want.url)
        const same = got.status === want.status && got.body === want.body && JSON.stringify(stable(got.headers)) === JSON.stringify(want.headers)
        if (!same) throw new Error(`the ${kind} ceiling does not answer ${want.url} byte for byte like the service`)
      }
      await load(c.url, { connections: s.connections, seconds: s.warmSeconds, paths: routes.map((r) => r.path) })
    }
    ctx.log(`  ceilings answer byte for byte like the service (status, body, content-type, cache-control)`)

    // rounds interleave the targets, so drift in the machine's load hits all of them alike
    const raw = new Map<string, LoadResult[]>()
    for (let round_ = 0; round_ < s.rounds; round_++) {
      for (const r of routes) {
        for (const kind of kinds) {
          const res = await load(urls[kind] + r.path, { connections: s.connections, seconds: s.seconds })
          const key = `${r.path} ${kind}`
          raw.set(key, [...(raw.get(key) ?? []), res])
        }
      }
      ctx.log(`  round ${round_ + 1}/${s.rounds} done`)
    }

    const rows: Row[] = []
    const targets: Target[] = []
    for (const r of routes) {
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
      byKind.service.ratio = byKind.service.rps / byKind.fastify.rps
      byKind.service.ratioNode = byKind.service.rps / byKind.node.rps
      byKind.fastify.ratioNode = byKind.fastify.rps / byKind.node.rps
      rows.push(byKind.service, byKind.fastify, byKind.node)
      targets.push({
        name: `${r.path} >= ${r.min} x its Fastify ceiling`,
        measured: `${round(byKind.service.ratio, 3)} (${Math.round(byKind.service.rps)} vs ${Math.round(byKind.fastify.rps)} req/s)`,
        limit: `>= ${r.min}`,
        met: byKind.service.ratio >= r.min && byKind.service.errors === 0,
      })
    }
    return { rows, targets, outcomes, bodyBytes: Object.fromEntries(canned.map((c) => [c.url, Buffer.byteLength(c.body)])) }
  } finally {
    for (const c of children) await c.close()
  }
}

function checkOutcomes(body: string): CheckOutcome[] {
  const report = JSON.parse(body) as { checks?: Record<string, { componentId: string; status: string; reason?: string; output?: string }[]> }
  const out: CheckOutcome[] = []
  for (const [key, entries] of Object.entries(report.checks ?? {})) {
    if (!key.endsWith(':responseTime')) continue
    const e = entries[0]
    out.push({ name: key.split(':')[0], status: e.status, reason: e.reason, output: e.output })
  }
  return out
}

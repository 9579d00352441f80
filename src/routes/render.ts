import { aggregate, sinceOf } from '../engine/aggregate.js'
import type { CheckResult } from '../engine/result.js'
import type { CheckStatus, HealthStatus } from '../engine/status.js'
import type { Disclosure } from './access.js'

export interface ReportMeta {
  serviceId: string
  version: string
  description: string
}

// What a view may render: the results as this caller may see them. Only show() makes one, so no view renders a
// result that was not projected first.
export interface Shown {
  readonly results: readonly CheckResult[]
  readonly withheld: boolean
  readonly [shown]: true
}
declare const shown: unique symbol

// Statuses, reason codes and timings only, named one by one: a field added to results later is withheld too.
function withhold(r: CheckResult): CheckResult {
  return {
    name: r.name,
    tier: r.tier,
    componentType: r.componentType,
    status: r.status,
    observedStatus: r.observedStatus,
    consecutive: r.consecutive,
    since: r.since,
    reason: r.reason,
    observedAt: r.observedAt,
    durationMs: r.durationMs,
    expiresAt: r.expiresAt,
    liveCheck: r.liveCheck,
    findings: [],
    measurements: [],
  }
}

export function show(results: readonly CheckResult[], disclosure: Disclosure): Shown {
  const withheld = disclosure !== 'full'
  return { results: withheld ? results.map(withhold) : results, withheld } as Shown
}

function entries(r: CheckResult): [string, Record<string, unknown>[]][] {
  const time = new Date(r.observedAt).toISOString()
  const main: Record<string, unknown> = {
    componentId: r.name,
    componentType: r.componentType,
    status: r.status,
    time,
    observedValue: r.durationMs,
    observedUnit: 'ms',
  }
  if (r.output) main.output = r.output
  main.tier = r.tier
  if (r.reason) main.reason = r.reason
  main.liveCheck = r.liveCheck
  main.expires = new Date(r.expiresAt).toISOString()
  main.since = new Date(r.since).toISOString()
  main.observedStatus = r.observedStatus
  main.consecutive = r.consecutive
  if (r.findings.length > 0) main.findings = r.findings
  if (r.details) main.details = r.details
  const out: [string, Record<string, unknown>[]][] = [[`${r.name}:responseTime`, [main]]]
  const byKey = new Map<string, Record<string, unknown>[]>()
  for (const m of r.measurements) {
    const key = `${r.name}:${m.measurement}`
    const list = byKey.get(key) ?? []
    const e: Record<string, unknown> = {
      componentId: m.componentId ?? r.name,
      componentType: r.componentType,
      status: m.status ?? 'pass',
      time,
      observedValue: m.observedValue,
    }
    if (m.observedUnit) e.observedUnit = m.observedUnit
    if (m.output) e.output = m.output
    list.push(e)
    byKey.set(key, list)
  }
  out.push(...byKey)
  return out
}

function summaryOutput(results: readonly CheckResult[]): string | undefined {
  const bad = results.filter((r) => r.status === 'fail' || r.status === 'warn')
  if (bad.length === 0) return undefined
  return bad.map((r) => `${r.name}: ${r.status}${r.reason ? ` ${r.reason}` : ''}`).join(', ')
}

export function renderJson(meta: ReportMeta, shown: Shown, status: HealthStatus = aggregate(shown.results)): string {
  const results = shown.results
  const checks: Record<string, unknown> = {}
  for (const r of results) for (const [k, v] of entries(r)) checks[k] = v
  const body: Record<string, unknown> = {
    status,
    version: meta.version,
    serviceId: meta.serviceId,
    description: meta.description,
  }
  const output = summaryOutput(results)
  if (output) body.output = output
  const since = sinceOf(results, status)
  if (since !== undefined) body.since = new Date(since).toISOString()
  if (shown.withheld) body.detailsWithheld = true
  body.checks = checks
  return JSON.stringify(body)
}

// the summary line stays the last one; this one says why the outputs are missing
export const WITHHELD_LINE = 'details withheld (HEALTH_DETAILS): statuses and reason codes only'

const marks: Record<CheckStatus, string> = { pass: '[+]', warn: '[!]', fail: '[-]', skipped: '[ ]' }

// A duration in words a person reads at a glance: 45s, 3m12s, 2h05m, 3d4h.
export function lasted(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
  return `${Math.floor(s / 86_400)}d${Math.floor(s / 3600) % 24}h`
}

// What damping holds back, in words: the last probes saw another status than the one reported.
export function pending(r: CheckResult): string {
  return r.observedStatus === r.status
    ? ''
    : ` (last ${r.consecutive} probe${r.consecutive === 1 ? '' : 's'}: ${r.observedStatus})`
}

const verdicts: Record<HealthStatus, string> = { fail: 'failed', warn: 'passed with warnings', pass: 'passed' }

// One aligned line a check, like Kubernetes' /readyz?verbose, then a summary line. Each line says how long the
// check has had its status.
export function renderText(label: string, shown: Shown, status: HealthStatus, now = Date.now()): string {
  const results = shown.results
  const nameWidth = Math.max(4, ...results.map((r) => r.name.length))
  const lines = results.map((r) => {
    const took = r.status === 'skipped' ? '-' : `${Math.round(r.durationMs)}ms`
    const cols = [
      marks[r.status],
      r.name.padEnd(nameWidth),
      r.status.padEnd(7),
      r.tier.padEnd(9),
      took.padStart(7),
      `for ${lasted(now - r.since)}`.padEnd(12),
    ]
    const why = [r.reason, r.output].filter(Boolean).join(' ')
    return `${cols.join(' ')}${pending(r)}${why ? ` ${why}` : ''}`.trimEnd()
  })
  if (shown.withheld) lines.push(WITHHELD_LINE)
  const counts = { pass: 0, warn: 0, fail: 0, skipped: 0 }
  for (const r of results) counts[r.status]++
  const since = sinceOf(results, status)
  const lasting = since === undefined ? '' : ` for ${lasted(now - since)}`
  lines.push(
    `${label} ${verdicts[status]}${lasting}: ${counts.fail} failed, ${counts.warn} warnings, ${counts.pass} passed, ${counts.skipped} skipped`,
  )
  return lines.join('\n') + '\n'
}

import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { CheckRunner } from '../engine/runner.js'
import type { CheckResult } from '../engine/result.js'
import { statusRank, type CheckStatus } from '../engine/status.js'
import { PREFIX } from './registry.js'

const statuses = Object.keys(statusRank) as CheckStatus[]
const labelNames = ['check', 'tier'] as const

// From 1 ms (an answer on loopback) to 10 s (past the longest timeout a check may have).
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

// Per-check series. The gauges are read at scrape time from the runner's view (which never probes); the probe
// counter and the duration histogram are fed as results are stored. Labels are names, tiers, statuses and reason
// codes only: never an output, which is free text.
export function registerCheckMetrics(registry: Registry, runner: CheckRunner): void {
  const checks = runner.definitions.map((d) => ({ name: d.name, labels: { check: d.name, tier: d.tier } }))
  const registers = [registry]

  new Gauge({
    name: `${PREFIX}check_observed`,
    help: 'Whether the check has a result since start (1) or has never been observed (0); its other gauges are 0 or absent until then',
    labelNames,
    registers,
    collect() {
      for (const c of checks) this.set(c.labels, runner.view(c.name).result ? 1 : 0)
    },
  })
  // one series per status value, 1 for the current one (kube-state-metrics' style)
  const statusGauge = (name: string, help: string, pick: (r: CheckResult) => CheckStatus) =>
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      labelNames: [...labelNames, 'status'],
      registers,
      collect() {
        for (const c of checks) {
          const r = runner.view(c.name).result
          const current = r && pick(r)
          for (const status of statuses) this.set({ ...c.labels, status }, current === status ? 1 : 0)
        }
      },
    })
  statusGauge(
    'check_status',
    "The check's reported status, after damping (what /ready and /health answer): 1 for the current value of status, 0 for the others; all 0 while never observed",
    (r) => r.status,
  )
  statusGauge(
    'check_observed_status',
    "The last probe's own status, which damping may not report yet: 1 for the current value of status, 0 for the others; all 0 while never observed",
    (r) => r.observedStatus,
  )
  new Gauge({
    name: `${PREFIX}check_reason`,
    help: 'The reason code of the last probe (1), while it has one; absent for a plain pass and while never observed',
    labelNames: [...labelNames, 'reason'],
    registers,
    collect() {
      this.reset()
      for (const c of checks) {
        const reason = runner.view(c.name).result?.reason
        if (reason) this.set({ ...c.labels, reason }, 1)
      }
    },
  })
  // a time of the last result, in Unix seconds; absent while never observed
  const resultTime = (name: string, help: string, pick: (r: CheckResult) => number) =>
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      labelNames,
      registers,
      collect() {
        this.reset()
        for (const c of checks) {
          const r = runner.view(c.name).result
          if (r) this.set(c.labels, pick(r) / 1000)
        }
      },
    })
  resultTime(
    'check_last_observed_timestamp_seconds',
    "When the check's last result was observed (Unix time); absent while never observed",
    (r) => r.observedAt,
  )
  resultTime(
    'check_status_since_timestamp_seconds',
    "When the check's reported status began (Unix time; a restart begins it again); absent while never observed",
    (r) => r.since,
  )
  // constant, so that a rule can tell a result that is late from one that is merely old
  new Gauge({
    name: `${PREFIX}check_lifetime_seconds`,
    help: 'How long a result of the check is kept (its cache lifetime); in background refresh, a result older than a few of these means its probing stalled',
    labelNames,
    registers,
    collect() {
      for (const def of runner.definitions) this.set({ check: def.name, tier: def.tier }, runner.ttlOf(def) / 1000)
    },
  })
  new Gauge({
    name: `${PREFIX}check_retry_after_seconds`,
    help: "How long the provider's Retry-After still forbids probing the check; 0 when no wait holds",
    labelNames,
    registers,
    collect() {
      const now = runner.clock.now()
      for (const c of checks) this.set(c.labels, Math.max(0, runner.view(c.name).notBefore - now) / 1000)
    },
  })

  const probes = new Counter({
    name: `${PREFIX}probes_total`,
    help: 'Probes of the check that completed, by their own status (outcome) and reason code (reason, "none" for a plain pass); format-only and skipped checks run none',
    labelNames: [...labelNames, 'outcome', 'reason'],
    registers,
  })
  const duration = new Histogram({
    name: `${PREFIX}probe_duration_seconds`,
    help: 'How long a completed probe of the check took, settings checks and start-up included',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers,
  })
  // every check that can probe has its series from the first scrape, so that rate() and absent() see a start at 0
  for (const def of runner.definitions.filter((d) => d.live)) {
    const labels = { check: def.name, tier: def.tier }
    probes.inc({ ...labels, outcome: 'pass', reason: 'none' }, 0)
    duration.zero(labels)
  }
  // a result counts as a probe when the runner's count of probes moved since the last result of the check
  const seen = new Map<string, number>()
  runner.onResult((result) => {
    const count = runner.view(result.name).probes
    if (count === (seen.get(result.name) ?? 0)) return
    seen.set(result.name, count)
    const labels = { check: result.name, tier: result.tier }
    probes.inc({ ...labels, outcome: result.observedStatus, reason: result.reason ?? 'none' })
    duration.observe(labels, result.durationMs / 1000)
  })
}

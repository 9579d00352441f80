import type { CheckResult } from './result.js'
import type { CheckStatus, HealthStatus } from './status.js'

// Tiers decide what a check's status means for the whole: only a critical failure fails the service.
export function aggregate(results: readonly CheckResult[]): HealthStatus {
  let status: HealthStatus = 'pass'
  for (const r of results) {
    if (r.status === 'fail') {
      if (r.tier === 'critical') return 'fail'
      status = 'warn'
    } else if (r.status === 'warn') {
      status = 'warn'
    }
  }
  return status
}

// Since when the whole has had a failing or warning status: since the earliest of the checks that give it that
// status (each has had its own status without a break since then). Undefined when the whole passes.
export function sinceOf(results: readonly CheckResult[], status: HealthStatus): number | undefined {
  if (status === 'pass') return undefined
  let since: number | undefined
  for (const r of results) {
    const cause =
      status === 'fail' ? r.status === 'fail' && r.tier === 'critical' : r.status === 'warn' || r.status === 'fail'
    if (cause && (since === undefined || r.since < since)) since = r.since
  }
  return since
}

// One check asked on its own: its status is the answer, and an unconfigured optional check is no failure.
export function statusOfOne(result: CheckResult): HealthStatus {
  return result.status === 'skipped' ? 'pass' : result.status
}

export function httpStatusOf(status: CheckStatus): number {
  return status === 'fail' ? 503 : 200
}

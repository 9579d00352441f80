import type { CheckResult } from '../engine/result.js'

// Whether a result fails the command: a failing check of any tier, and with --strict a warning too.
export function failing(result: CheckResult, strict: boolean): boolean {
  return result.status === 'fail' || (strict && result.status === 'warn')
}

export function exitCodeOf(results: readonly CheckResult[], strict: boolean): 0 | 1 {
  return results.some((r) => failing(r, strict)) ? 1 : 0
}

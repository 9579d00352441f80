import type { ReasonCode } from '../reasons.js'

// What a probe, a measurement or a whole report can say.
export type HealthStatus = 'pass' | 'warn' | 'fail'

// A check's status: an optional service that is not configured is skipped.
export type CheckStatus = HealthStatus | 'skipped'

// The one rank table: a worse status wins when statuses are combined.
export const statusRank: Readonly<Record<CheckStatus, number>> = { skipped: 0, pass: 1, warn: 2, fail: 3 }

export function worst<S extends CheckStatus>(a: S, b: S): S {
  return statusRank[b] > statusRank[a] ? b : a
}

// The one failure shape: what went wrong, in words an engineer can act on, and how long the provider asked us to wait.
export interface Failure {
  reason: ReasonCode
  message: string
  retryAfterMs?: number
}

import type { Finding, Tier } from '../config.js'
import type { ReasonCode } from '../reasons.js'
import type { ComponentType, Measurement, Scalar } from '../checks/types.js'
import type { CheckStatus } from './status.js'

export interface ResolvedFinding extends Finding {
  severity: 'warn' | 'fail'
}

// What the engine knows of one check after a probe: what every route, view and later reader renders.
export interface CheckResult {
  name: string
  tier: Tier
  componentType: ComponentType
  // the reported status: the last probe's, once enough consecutive probes agreed (HEALTH_FAIL_AFTER, ...)
  status: CheckStatus
  // the last probe's own status, which damping never hides, and how many consecutive probes observed it
  observedStatus: CheckStatus
  consecutive: number
  // when the reported status began (ms)
  since: number
  reason?: ReasonCode
  output?: string
  observedAt: number
  durationMs: number
  expiresAt: number
  liveCheck: boolean
  findings: ResolvedFinding[]
  details?: Record<string, Scalar>
  measurements: Measurement[]
}

// A result as a probe leaves it, before the runner sets where the check stands.
export type ProbedResult = Omit<CheckResult, 'observedStatus' | 'consecutive' | 'since'>

// A change of a check's reported status: what history records and notifications carry. `from` is null for the
// first result since start.
export interface StatusChange {
  name: string
  tier: Tier
  from: CheckStatus | null
  to: CheckStatus
  reason?: ReasonCode
  output?: string
  // when the new status began, and when the change was reported
  since: number
  at: number
}

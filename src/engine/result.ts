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
  status: CheckStatus
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

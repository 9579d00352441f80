import type { ReasonCode } from '../../reasons.js'
import type { Measurement, Observation, Scalar } from '../types.js'
import { statusRank, type HealthStatus } from '../../engine/status.js'


// Several things can be wrong at once (SES disabled and over quota): the worst decides, every message is kept.
export class Verdict {
  private status: HealthStatus = 'pass'
  private reason: ReasonCode | undefined
  private readonly problems: string[] = []
  private readonly notes: string[] = []

  add(level: HealthStatus, reason: ReasonCode | undefined, message: string): void {
    if (level === 'pass') {
      this.notes.push(message)
      return
    }
    if (statusRank[level] > statusRank[this.status]) {
      this.status = level
      this.reason = reason
    }
    this.problems.push(message)
  }

  observation(details: Record<string, Scalar>, measurements: Measurement[] = []): Observation {
    const messages = [...this.problems, ...this.notes]
    return {
      status: this.status,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(messages.length > 0 ? { output: messages.join('; ') } : {}),
      details,
      measurements,
    }
  }
}

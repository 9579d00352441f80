import type { ReasonCode } from '../../reasons.js'
import type { Measurement, Observation, Scalar } from '../types.js'

export type Level = 'pass' | 'warn' | 'fail'

const levelRank: Record<Level, number> = { pass: 0, warn: 1, fail: 2 }

// Several things can be wrong at once (SES disabled and over quota): the worst decides, every message is kept.
export class Verdict {
  private status: Level = 'pass'
  private reason: ReasonCode | undefined
  private readonly problems: string[] = []
  private readonly notes: string[] = []

  add(level: Level, reason: ReasonCode | undefined, message: string): void {
    if (level === 'pass') {
      this.notes.push(message)
      return
    }
    if (levelRank[level] > levelRank[this.status]) {
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

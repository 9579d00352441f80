import type { Clock } from '../../src/engine/clock.js'

// A realistic instant (2025-01-15T12:00:00.000Z), so ISO timestamps and the text view's ages render as in production.
export const EPOCH_MS = Date.UTC(2025, 0, 15, 12, 0, 0)

// A wall clock that moves only when told: tests pass cache lifetimes and waits without sleeping.
export class ManualClock implements Clock {
  private ms: number

  constructor(start = EPOCH_MS) {
    this.ms = start
  }

  now(): number {
    return this.ms
  }

  advance(ms: number): number {
    if (ms < 0) throw new RangeError(`a clock does not go back: advance(${ms})`)
    return (this.ms += ms)
  }

  set(ms: number): number {
    return (this.ms = ms)
  }
}

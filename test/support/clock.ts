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

// Timers that never fire by themselves: a test moves its ManualClock, then fires what has come due.
export class ManualTimers {
  private pending = new Map<number, { fn: () => void; at: number }>()
  private next = 0

  constructor(private readonly clock: ManualClock) {}

  set(fn: () => void, ms: number): unknown {
    const id = ++this.next
    this.pending.set(id, { fn, at: this.clock.now() + ms })
    return id
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number)
  }

  // the earliest time a timer waits for, if any
  get nextAt(): number | undefined {
    let at: number | undefined
    for (const p of this.pending.values()) at = at === undefined ? p.at : Math.min(at, p.at)
    return at
  }

  // runs every timer whose time has come on the clock
  fire(): number {
    let fired = 0
    for (const [id, p] of [...this.pending]) {
      if (p.at > this.clock.now() || !this.pending.has(id)) continue
      this.pending.delete(id)
      p.fn()
      fired++
    }
    return fired
  }
}

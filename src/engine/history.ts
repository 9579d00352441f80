import { Reason } from '../reasons.js'
import type { ReasonCode } from '../reasons.js'
import type { Clock } from './clock.js'
import type { CheckResult, StatusChange } from './result.js'
import type { CheckRunner } from './runner.js'
import type { CheckStatus } from './status.js'

// How much is kept per check: fixed, whatever the polling rate, so memory never grows with probes or requests.
export const TRANSITIONS_KEPT = 50
export const OUTPUT_KEPT = 300
export const MINUTES_KEPT = 1440
export const MINUTE_MS = 60_000

// A change of a check's reported status, as history keeps it.
export interface Transition {
  at: number
  from: CheckStatus | null
  to: CheckStatus
  reason?: ReasonCode
  output?: string
  since: number
}

// The results of one minute, counted by reported status.
export interface Minute extends Record<CheckStatus, number> {
  // the minute's first millisecond
  start: number
  slowestMs: number
}

export interface Uptime {
  '1h': number | null
  '24h': number | null
}

export interface CheckHistory {
  transitions: Transition[]
  minutes: Minute[]
  uptime: Uptime
}

// a minute's counters, one a status, in this order
const STATUSES = ['pass', 'warn', 'fail', 'skipped'] as const satisfies readonly CheckStatus[]
const column = Object.fromEntries(STATUSES.map((s, i) => [s, i])) as Record<CheckStatus, number>
const NO_MINUTE = -1

// The last TRANSITIONS_KEPT transitions, in a ring: the oldest is overwritten.
class TransitionRing {
  private readonly ring = new Array<Transition | undefined>(TRANSITIONS_KEPT).fill(undefined)
  private written = 0

  get length(): number {
    return Math.min(this.written, TRANSITIONS_KEPT)
  }

  push(t: Transition): void {
    this.ring[this.written % TRANSITIONS_KEPT] = t
    this.written++
  }

  newestFirst(): Transition[] {
    const out: Transition[] = []
    for (let i = 1; i <= this.length; i++) out.push(this.ring[(this.written - i) % TRANSITIONS_KEPT]!)
    return out
  }
}

// One slot a minute of the last day, indexed by minute modulo MINUTES_KEPT; each slot is stamped with its minute,
// so a slot left from an earlier day reads as empty.
class MinuteRing {
  readonly stamps = new Int32Array(MINUTES_KEPT).fill(NO_MINUTE)
  private readonly counts = new Uint32Array(MINUTES_KEPT * STATUSES.length)
  private readonly slowest = new Float64Array(MINUTES_KEPT)

  add(at: number, status: CheckStatus, durationMs: number): void {
    const minute = Math.floor(at / MINUTE_MS)
    const i = minute % MINUTES_KEPT
    // the slot holds a later day's minute: the wall clock went back, and this result is older than the day kept
    if (this.stamps[i] > minute) return
    if (this.stamps[i] !== minute) {
      this.stamps[i] = minute
      this.counts.fill(0, i * STATUSES.length, (i + 1) * STATUSES.length)
      this.slowest[i] = 0
    }
    this.counts[i * STATUSES.length + column[status]]++
    if (durationMs > this.slowest[i]) this.slowest[i] = durationMs
  }

  // The minute `minute` if its slot holds it and it had results.
  read(minute: number): Minute | undefined {
    const i = minute % MINUTES_KEPT
    if (this.stamps[i] !== minute) return undefined
    const base = i * STATUSES.length
    const [pass, warn, fail, skipped] = this.counts.subarray(base, base + STATUSES.length)
    return { start: minute * MINUTE_MS, pass, warn, fail, skipped, slowestMs: this.slowest[i] }
  }

  // The share of results in minute `last` and the window-1 minutes before it whose reported status is not fail,
  // among those that are not skipped; null when there is none.
  uptime(last: number, window: number): number | null {
    let up = 0
    let counted = 0
    for (let minute = last - window + 1; minute <= last; minute++) {
      const i = minute % MINUTES_KEPT
      if (this.stamps[i] !== minute) continue
      const base = i * STATUSES.length
      up += this.counts[base + column.pass] + this.counts[base + column.warn]
      counted += this.counts[base + column.pass] + this.counts[base + column.warn] + this.counts[base + column.fail]
    }
    return counted === 0 ? null : up / counted
  }
}

interface Store {
  transitions: TransitionRing
  minutes: MinuteRing
}

// In memory only (lost on restart): each check's last status transitions and a per-minute count of its results by
// reported status over the last day. Fed by the runner's result listener; reading it never probes.
export class History {
  private readonly stores = new Map<string, Store>()
  private readonly clock: Clock

  constructor(
    runner: CheckRunner,
    // transitions' outputs are cut, which can leave the head of a secret at the cut: the cut text is scrubbed again
    private readonly scrub: (text: string) => string,
  ) {
    this.clock = runner.clock
    for (const def of runner.definitions)
      this.stores.set(def.name, { transitions: new TransitionRing(), minutes: new MinuteRing() })
    runner.onResult((result, change) => this.record(result, change))
  }

  record(result: CheckResult, change: StatusChange | undefined): void {
    const store = this.store(result.name)
    // a stale mark observed nothing: the minutes count probes
    if (result.reason !== Reason.STALE) store.minutes.add(result.observedAt, result.status, result.durationMs)
    if (!change) return
    const output = change.output === undefined ? undefined : this.cut(change.output)
    store.transitions.push({
      at: change.at,
      from: change.from,
      to: change.to,
      reason: change.reason,
      output,
      since: change.since,
    })
  }

  // What is kept of a check: transitions newest first, the minutes with results among the last `listed` (newest
  // first), and its uptime.
  of(name: string, listed: number = MINUTES_KEPT): CheckHistory {
    const store = this.store(name)
    const now = Math.floor(this.clock.now() / MINUTE_MS)
    const minutes: Minute[] = []
    for (let k = 0; k < Math.min(listed, MINUTES_KEPT); k++) {
      const m = store.minutes.read(now - k)
      if (m) minutes.push(m)
    }
    return {
      transitions: store.transitions.newestFirst(),
      minutes,
      uptime: { '1h': store.minutes.uptime(now, 60), '24h': store.minutes.uptime(now, MINUTES_KEPT) },
    }
  }

  // What a check's store holds and can hold, for tests of the bound.
  size(name: string): { transitions: number; minuteSlots: number } {
    const store = this.store(name)
    return { transitions: store.transitions.length, minuteSlots: store.minutes.stamps.length }
  }

  private cut(output: string): string {
    return output.length > OUTPUT_KEPT ? this.scrub(`${output.slice(0, OUTPUT_KEPT)}…`) : output
  }

  private store(name: string): Store {
    const store = this.stores.get(name)
    if (!store) throw new Error(`unknown check ${name}`)
    return store
  }
}

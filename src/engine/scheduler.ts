import type { FastifyBaseLogger } from 'fastify'
import type { CheckRunner } from './runner.js'
import { START_LIMIT_MS } from './executor.js'
import { Reason } from '../reasons.js'

// Timers, injected so tests drive the schedule with a manual clock instead of sleeping.
export interface Timers {
  set(fn: () => void, ms: number): unknown
  clear(handle: unknown): void
}

export const systemTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export interface SchedulerOptions {
  // background refreshes at once (HEALTH_MAX_CONCURRENT_PROBES)
  maxConcurrent: number
  // a refresh never starts sooner than this after the last result (HEALTH_MIN_PROBE_INTERVAL_MS)
  minProbeIntervalMs: number
  timers?: Timers
  // [0, 1): spreads the start times; tests pass a fixed one
  random?: () => number
  log?: FastifyBaseLogger
}

// How far ahead of its expiry a result is refreshed: a tenth of its lifetime, at most its timeout, so a probe that
// answers within its timeout lands before the result it replaces expires.
export const LEAD_SHARE = 0.1
export const leadOf = (lifetimeMs: number, timeoutMs: number) => Math.min(timeoutMs, lifetimeMs * LEAD_SHARE)
// The first refreshes after start are spread over this much time, so the checks do not all fire at once.
export const START_SPREAD_MS = 1000
// The schedule is looked at at least this often, to notice a stalled check.
export const WATCH_INTERVAL_MS = 1000

// How overdue a check's result may get before the check reports that its probing stalled.
export function staleAfter(lifetimeMs: number, timeoutMs: number): { warn: number; fail: number } {
  return {
    warn: 2 * lifetimeMs + timeoutMs,
    // never before a probe's own start-up limit has had its say: that one answers TIMEOUT by itself
    fail: Math.max(5 * lifetimeMs, START_LIMIT_MS) + timeoutMs,
  }
}

interface Plan {
  name: string
  lifetimeMs: number
  timeoutMs: number
  leadMs: number
  // when the first refresh is due (ms on the runner's clock), spread at start
  firstDue: number
  // how much earlier than the lead this plan's next refresh starts, as a share of half the lead; drawn per result
  jitter: number
  // a refresh this scheduler started is in flight
  running: boolean
  // a global check of a fleet: its jitter is the fleet's, drawn from its result
  shared: boolean
}

// Background probing: refreshes each probing check shortly before its result expires, whether or not anything
// polls (refresh-ahead), at most maxConcurrent at once, most overdue first, never sooner than the minimum probe
// interval or a provider's Retry-After; and marks a check STALE when its result stops being replaced.
export class RefreshScheduler {
  private readonly plans: Plan[] = []
  private readonly timers: Timers
  private readonly random: () => number
  private timer: unknown
  private running = 0
  private startedAt = 0
  private closed = true

  constructor(
    private readonly runner: CheckRunner,
    private readonly opts: SchedulerOptions,
  ) {
    this.timers = opts.timers ?? systemTimers
    this.random = opts.random ?? Math.random
  }

  // The checks this scheduler probes: the ones whose result reaches a dependency. The others cost nothing and are
  // evaluated once, at start.
  get scheduled(): readonly string[] {
    return this.plans.map((p) => p.name)
  }

  start(): void {
    if (!this.closed) return
    this.closed = false
    const now = this.runner.clock.now()
    this.startedAt = now
    for (const def of this.runner.definitions) {
      if (!this.runner.probes(def.name)) {
        void this.runner.refreshNow(def.name)
        continue
      }
      const lifetimeMs = this.runner.ttlOf(def)
      const timeoutMs = this.runner.timeoutOf(def)
      const leadMs = leadOf(lifetimeMs, timeoutMs)
      const firstDue = now + Math.floor(this.random() * Math.min(START_SPREAD_MS, lifetimeMs))
      const shared = this.runner.fleet !== undefined && def.scope === 'global'
      this.plans.push({ name: def.name, lifetimeMs, timeoutMs, leadMs, firstDue, jitter: 0, running: false, shared })
    }
    this.tick()
  }

  // Starts what is due, marks what is stalled, and waits for the next due time. Public for tests.
  tick(): void {
    if (this.closed) return
    if (this.timer !== undefined) this.timers.clear(this.timer)
    this.timer = undefined
    const now = this.runner.clock.now()
    const waiting = this.plans.filter((p) => !p.running).map((plan) => ({ plan, due: this.dueOf(plan) }))
    const due = waiting.filter((w) => w.due <= now).sort((a, b) => a.due - b.due)
    for (const { plan } of due) {
      if (this.running >= this.opts.maxConcurrent) break
      this.launch(plan)
    }
    for (const plan of this.plans) this.watch(plan, now)
    let next = now + WATCH_INTERVAL_MS
    // a due plan held back by the cap waits for a running one to land, which ticks again
    for (const w of waiting) if (!w.plan.running && w.due > now) next = Math.min(next, w.due)
    this.timer = this.timers.set(() => this.tick(), Math.max(1, next - now))
  }

  close(): void {
    this.closed = true
    if (this.timer !== undefined) this.timers.clear(this.timer)
    this.timer = undefined
  }

  private launch(plan: Plan): void {
    plan.running = true
    this.running++
    this.runner.refreshNow(plan.name).then(
      () => this.landed(plan),
      (err: unknown) => {
        // the runner turns every failure into a result; a rejection here is a bug, logged, and the plan goes on
        this.opts.log?.error({ check: plan.name, err: String(err) }, 'background refresh failed')
        this.landed(plan)
      },
    )
  }

  private landed(plan: Plan): void {
    plan.running = false
    this.running--
    plan.jitter = (plan.shared ? this.sharedJitter(plan.name) : undefined) ?? this.random()
    this.tick()
  }

  // A global check of a fleet is refreshed by whichever replica comes first: with a jitter of their own, the earliest
  // of several draws would shorten its period. Drawn from its result instead, it is the same on every replica.
  private sharedJitter(name: string): number | undefined {
    const observedAt = this.runner.view(name).result?.observedAt
    if (observedAt === undefined) return undefined
    // FNV-1a of the check and its result's time: a fraction in [0, 1)
    let h = 0x811c9dc5
    for (const c of `${name}:${observedAt}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193)
    return (h >>> 0) / 2 ** 32
  }

  // Read from the check's current result, whoever probed it (a request's probe moves the schedule too): ahead of
  // its expiry by the lead, and by up to half the lead more at random so that checks drift apart; never sooner
  // than the minimum interval after it, nor before the provider's Retry-After.
  private dueOf(plan: Plan): number {
    const { result, notBefore } = this.runner.view(plan.name)
    if (!result) return plan.firstDue
    const ahead = result.expiresAt - plan.leadMs - Math.floor(plan.jitter * plan.leadMs * 0.5)
    return Math.max(ahead, result.observedAt + this.opts.minProbeIntervalMs, notBefore)
  }

  private watch(plan: Plan, now: number): void {
    const { result } = this.runner.view(plan.name)
    const since = result?.expiresAt ?? this.startedAt
    const overdue = now - since
    const limits = staleAfter(plan.lifetimeMs, plan.timeoutMs)
    if (overdue < limits.warn) return
    const status = overdue >= limits.fail ? 'fail' : 'warn'
    if (result?.reason === Reason.STALE && result.status === status) return
    const seconds = Math.round(overdue / 1000)
    const what = result
      ? `no new result for ${seconds}s past its expiry (one expected every ${plan.lifetimeMs / 1000}s)`
      : `never observed since the start ${seconds}s ago (one expected every ${plan.lifetimeMs / 1000}s)`
    this.runner.markStale(
      plan.name,
      status,
      `${what}: the probing of this check has stalled${result ? `; its last result was ${result.observedStatus}` : ''}`,
      since,
    )
  }
}

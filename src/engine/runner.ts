import type { FastifyBaseLogger } from 'fastify'
import { ConfigError, type Config } from '../config.js'
import type { CheckDefinition, Measurement, Scalar } from '../checks/types.js'
import { decide, holdsUntil, type CacheRules } from './cache-policy.js'
import { systemClock, type Clock } from './clock.js'
import { isServiceFault, shuttingDown, type ProbeExecutor, type ProbeOutcome } from './executor.js'
import { InlineExecutor } from './inline-executor.js'
import { judge, needsProbe, preflight } from './judge.js'
import { createSanitizer } from '../sanitize.js'
import { cutQuotes } from '../checks/lib/quote.js'
import type { CheckResult, ProbedResult, StatusChange } from './result.js'
import { advance, parseDamping, type Standing, type Thresholds } from './damping.js'
import { Reason } from '../reasons.js'
import type { FleetCoordinator } from '../fleet/coordinator.js'
import { leadOf } from './scheduler.js'

interface Slot {
  def: CheckDefinition
  result?: CheckResult
  inflight?: Promise<CheckResult>
  // no probe before this (a provider's Retry-After)
  notBefore: number
  // probes started, for tests, the bench and /metrics
  probes: number
  // how many consecutive probes must agree to move its status, and where it stands
  thresholds: Thresholds
  standing?: Standing
}

// Told of every result as it is stored, and of the change of reported status it makes, if any. It runs on the
// result's path: it must be quick and never throw (a throw is logged and ignored).
export type ResultListener = (result: CheckResult, change: StatusChange | undefined) => void

// What /metrics reads of a check without probing it.
export interface SlotView {
  result?: CheckResult
  notBefore: number
  probes: number
  // a probe of it is in flight
  refreshing: boolean
}

export interface CollectOptions {
  // ask for a new probe; still single-flight and never more often than HEALTH_MIN_PROBE_INTERVAL_MS
  fresh?: boolean
}

export interface RunnerOptions {
  // scrubs secrets out of every result, once, as it leaves the engine; default: the config's secrets
  scrub?: (text: string) => string
  // which executor runs a check's probe (this thread, or the worker thread): the caller decides; default this thread
  executorFor?: (def: CheckDefinition) => ProbeExecutor
  // every executor executorFor may answer, to close them
  executors?: readonly ProbeExecutor[]
  clock?: Clock
  // a fleet that shares the global checks' results (HEALTH_FLEET_REDIS_URL); unset, every check is probed here
  fleet?: FleetCoordinator
}

// Runs the checks: one slot a check with its cached result, single-flight probes and stale-while-revalidate.
export class CheckRunner {
  readonly definitions: readonly CheckDefinition[]
  readonly clock: Clock
  // bumped on every new result, so renderers can cache their output per version
  version = 0
  private readonly slots = new Map<string, Slot>()
  private readonly rules: CacheRules
  private readonly scrub: (text: string) => string
  private readonly executorFor: (def: CheckDefinition) => ProbeExecutor
  private readonly executors: readonly ProbeExecutor[]
  private closed = false
  private readonly listeners: ResultListener[] = []
  readonly fleet?: FleetCoordinator

  constructor(
    definitions: readonly CheckDefinition[],
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
    opts: RunnerOptions = {},
  ) {
    this.definitions = definitions
    const overrides = parseDamping(config.health.HEALTH_DAMPING)
    if (Array.isArray(overrides)) throw new ConfigError(`HEALTH_DAMPING: ${overrides.join('; ')}`)
    const unknown = [...overrides.keys()].filter((n) => !definitions.some((d) => d.name === n))
    if (unknown.length > 0)
      throw new ConfigError(
        `HEALTH_DAMPING names no check ${unknown.join(', ')}; the checks are ${definitions.map((d) => d.name).join(', ')}`,
      )
    const global = { failAfter: config.health.HEALTH_FAIL_AFTER, recoverAfter: config.health.HEALTH_RECOVER_AFTER }
    for (const def of definitions)
      this.slots.set(def.name, { def, notBefore: 0, probes: 0, thresholds: overrides.get(def.name) ?? global })
    this.clock = opts.clock ?? systemClock
    this.fleet = opts.fleet
    this.scrub = opts.scrub ?? createSanitizer(config.secrets)
    if (opts.executorFor) {
      this.executorFor = opts.executorFor
      this.executors = opts.executors ?? []
    } else {
      const inline = new InlineExecutor(config, log, undefined, this.clock)
      this.executorFor = () => inline
      this.executors = [inline]
    }
    this.rules = {
      minProbeIntervalMs: config.health.HEALTH_MIN_PROBE_INTERVAL_MS,
      maxStaleMs: config.health.HEALTH_MAX_STALE_MS,
    }
  }

  has(name: string): boolean {
    return this.slots.has(name)
  }

  probeCount(name: string): number {
    return this.slots.get(name)?.probes ?? 0
  }

  // The check's cached state as it is: never starts a probe.
  view(name: string): SlotView {
    const { result, notBefore, probes, inflight } = this.slot(name)
    return { result, notBefore, probes, refreshing: inflight !== undefined }
  }

  // Whether evaluating the check reaches a dependency; false for skipped, blocked and format-only checks, whose
  // result only their settings decide.
  probes(name: string): boolean {
    const { def } = this.slot(name)
    try {
      return needsProbe(def, preflight(def, this.config))
    } catch {
      return false
    }
  }

  // A new result now, sharing the probe in flight if there is one (single-flight with requests and ?fresh).
  refreshNow(name: string): Promise<CheckResult> {
    return this.refresh(this.slot(name))
  }

  // Reports that the check has had no new result for too long (the prober stalled), without a probe: the last
  // result's observation stays as it was, so its age keeps showing; damping is not applied, since nothing was
  // observed, and the next real result is judged from where the check stood before.
  // `since`: when a result was last expected, which stands for the observation of a check never observed.
  markStale(name: string, status: 'warn' | 'fail', output: string, since: number): CheckResult {
    const slot = this.slot(name)
    const { def } = slot
    const previous = slot.result
    const now = this.clock.now()
    const base: ProbedResult = previous ?? {
      name: def.name,
      tier: def.tier,
      componentType: def.componentType,
      observedAt: since,
      expiresAt: since,
      durationMs: 0,
      status,
      liveCheck: def.live,
      findings: [],
      measurements: [],
    }
    const result: CheckResult = {
      ...base,
      status,
      observedStatus: previous?.observedStatus ?? status,
      consecutive: 1,
      since: now,
      reason: Reason.STALE,
      output: this.scrub(output),
    }
    slot.result = result
    this.version++
    this.announce(previous, result, now)
    return result
  }

  thresholdsOf(name: string): Thresholds {
    return this.slot(name).thresholds
  }

  onResult(listener: ResultListener): void {
    this.listeners.push(listener)
  }

  ttlOf(def: CheckDefinition): number {
    if (def.cacheTtlMs !== undefined) return def.cacheTtlMs
    return def.cache === 'third-party'
      ? this.config.health.HEALTH_THIRD_PARTY_CACHE_TTL_MS
      : this.config.health.HEALTH_CACHE_TTL_MS
  }

  // A result that says nothing of the dependency (the service's own fault) is kept no longer than the shortest
  // lifetime, so that the dependency is judged again soon.
  private lifetimeOf(def: CheckDefinition, reason: string | undefined): number {
    const ttl = this.ttlOf(def)
    return isServiceFault(reason) ? Math.min(ttl, this.config.health.HEALTH_CACHE_TTL_MS) : ttl
  }

  timeoutOf(def: CheckDefinition): number {
    return def.timeoutMs ?? this.config.health.HEALTH_TIMEOUT_MS
  }

  // Returns synchronously when every result can come from the cache: the hot path of /ready and /health.
  collect(names: readonly string[], opts: CollectOptions = {}): CheckResult[] | Promise<CheckResult[]> {
    const out = new Array<CheckResult>(names.length)
    let pending: Promise<void>[] | undefined
    for (let i = 0; i < names.length; i++) {
      const r = this.get(names[i], opts)
      if (r instanceof Promise) {
        ;(pending ??= []).push(r.then((v) => void (out[i] = v)))
      } else {
        out[i] = r
      }
    }
    return pending ? Promise.all(pending).then(() => out) : out
  }

  get(name: string, opts: CollectOptions = {}): CheckResult | Promise<CheckResult> {
    const slot = this.slot(name)
    const d = decide(this.cached(slot), this.clock.now(), this.rules, opts.fresh)
    if (d.answer === 'probe') return this.refresh(slot)
    // stale-while-revalidate: answer now, refresh once in the background
    if (d.answer === 'stale' && !slot.inflight) void this.refresh(slot)
    return slot.result!
  }

  // Until when collect(names) keeps answering what it answers now, short of a new result (which bumps the version):
  // lets renderers keep their bytes through a stale-while-revalidate window instead of rendering them per request.
  validUntil(names: readonly string[], now = this.clock.now()): number {
    let until = Infinity
    for (const name of names) until = Math.min(until, holdsUntil(this.cached(this.slot(name)), now, this.rules))
    return until
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name)
    if (!slot) throw new Error(`unknown check ${name}`)
    return slot
  }

  private cached(slot: Slot) {
    return { result: slot.result, notBefore: slot.notBefore, refreshing: slot.inflight !== undefined }
  }

  private refresh(slot: Slot): Promise<CheckResult> {
    if (slot.inflight) return slot.inflight
    const p = this.evaluateOnce(slot)
      .catch((err: unknown) => this.failedEvaluation(slot, err))
      .then((probed) => {
        slot.inflight = undefined
        return this.store(slot, probed)
      })
    slot.inflight = p
    return p
  }

  private store(slot: Slot, probed: ProbedResult): CheckResult {
    const previous = slot.result
    const standing = advance(slot.standing, probed.status, probed.observedAt, slot.thresholds)
    slot.standing = standing
    const result: CheckResult = {
      ...probed,
      status: standing.status,
      observedStatus: probed.status,
      consecutive: standing.streak,
      since: standing.since,
    }
    slot.result = result
    this.version++
    this.announce(previous, result, result.observedAt)
    return result
  }

  // Logs a change of status or reason and tells the listeners.
  private announce(previous: CheckResult | undefined, result: CheckResult, at: number): void {
    const change: StatusChange | undefined =
      previous?.status === result.status
        ? undefined
        : {
            name: result.name,
            tier: result.tier,
            from: previous?.status ?? null,
            to: result.status,
            reason: result.reason,
            output: result.output,
            since: result.since,
            at,
          }
    if (change || previous?.reason !== result.reason) {
      const line = {
        check: result.name,
        status: result.status,
        observed: result.observedStatus,
        previous: previous?.status ?? null,
        reason: result.reason ?? null,
        output: result.output ?? null,
      }
      if (result.status === 'fail') this.log.warn(line, 'check status changed')
      else this.log.info(line, 'check status changed')
    }
    for (const listener of this.listeners) {
      try {
        listener(result, change)
      } catch (err) {
        this.log.error({ check: result.name, err }, 'a listener of check results failed')
      }
    }
  }

  // A global check of a fleet is probed once for all of it: this replica probes it or adopts another's result.
  private evaluateOnce(slot: Slot): Promise<ProbedResult> {
    const { def } = slot
    if (!this.fleet || def.scope !== 'global' || !this.probes(def.name)) return this.evaluate(slot)
    const timeout = this.timeoutOf(def)
    const leadMs = leadOf(this.ttlOf(def), timeout)
    return this.fleet.evaluate(def, timeout, leadMs, () => this.evaluate(slot)).then((r) => this.scrubbed(r))
  }

  private async evaluate(slot: Slot): Promise<ProbedResult> {
    const { def } = slot
    const started = performance.now()
    const pre = preflight(def, this.config)
    const probed = needsProbe(def, pre)
    const outcome = probed ? await this.probe(slot) : undefined
    // stamped when it lands, so a slow start-up or probe never uses up the result's lifetime
    const observedAt = this.clock.now()
    const { retryAfterMs, ...verdict } = judge(def, pre, outcome)
    if (retryAfterMs) slot.notBefore = observedAt + retryAfterMs
    return this.scrubbed({
      name: def.name,
      tier: def.tier,
      componentType: def.componentType,
      observedAt,
      expiresAt: Math.max(observedAt + this.lifetimeOf(def, verdict.reason), slot.notBefore),
      durationMs: verdict.status === 'skipped' ? 0 : Math.round((performance.now() - started) * 100) / 100,
      ...verdict,
    })
  }

  // The check's own code threw outside its probe (a cross-setting rule, say): its bug is its result, so nothing is
  // left in flight and the next request evaluates it again.
  private failedEvaluation(slot: Slot, err: unknown): ProbedResult {
    const { def } = slot
    this.log.error({ check: def.name, err: String((err as Error)?.stack ?? err) }, 'check evaluation failed')
    const observedAt = this.clock.now()
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    return this.scrubbed({
      name: def.name,
      tier: def.tier,
      componentType: def.componentType,
      observedAt,
      expiresAt: observedAt + this.lifetimeOf(def, Reason.INTERNAL),
      durationMs: 0,
      status: 'fail',
      reason: Reason.INTERNAL,
      output: `the check itself failed: ${what}`,
      liveCheck: def.live,
      findings: [],
      measurements: [],
    })
  }

  // The one boundary where secrets leave results: every text a probe or a setting produced is scrubbed whole, and
  // only then are its provider quotes cut to their length, so that a cut never leaves part of a secret behind.
  private scrubbed(r: ProbedResult): ProbedResult {
    const scrub = (s: string) => cutQuotes(this.scrub(s))
    const text = (v: Scalar): Scalar => (typeof v === 'string' ? scrub(v) : v)
    return {
      ...r,
      output: r.output === undefined ? undefined : scrub(r.output),
      findings: r.findings.map((f) => ({ ...f, message: scrub(f.message) })),
      details: r.details && Object.fromEntries(Object.entries(r.details).map(([k, v]) => [k, text(v)])),
      measurements: r.measurements.map((m): Measurement => (m.output ? { ...m, output: scrub(m.output) } : m)),
    }
  }

  private probe(slot: Slot): Promise<ProbeOutcome> {
    if (this.closed) return Promise.resolve(shuttingDown)
    slot.probes++
    return this.executorFor(slot.def).run(slot.def, this.timeoutOf(slot.def))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.allSettled([...this.slots.values()].map((s) => s.inflight))
    await Promise.allSettled(this.executors.map((e) => e.close()))
  }
}

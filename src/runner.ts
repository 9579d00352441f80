import type { FastifyBaseLogger } from 'fastify'
import { settingMeta, type Config, type Finding, type SettingName, type Tier } from './config.js'
import { Prober, shuttingDown, type ProbeExecutor, type ProbeOutcome } from './prober.js'
import { isCatalogueCheck } from './checks/index.js'
import { Reason, type ReasonCode } from './reasons.js'
import { createSanitizer } from './sanitize.js'
import type { CheckDefinition, ComponentType, Measurement, Observation, Scalar } from './checks/types.js'

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped'

export interface ResolvedFinding extends Finding {
  severity: 'warn' | 'fail'
}

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

interface Slot {
  def: CheckDefinition
  result?: CheckResult
  inflight?: Promise<CheckResult>
  // no probe before this (a provider's Retry-After)
  notBefore: number
  // probes started, for tests and the bench
  probes: number
}

export interface CollectOptions {
  // ask for a new probe; still single-flight and never more often than HEALTH_MIN_PROBE_INTERVAL_MS
  fresh?: boolean
}

const rank: Record<CheckStatus, number> = { skipped: 0, pass: 1, warn: 2, fail: 3 }

export function worst(a: CheckStatus, b: CheckStatus): CheckStatus {
  return rank[b] > rank[a] ? b : a
}

export class CheckRunner {
  readonly definitions: readonly CheckDefinition[]
  // bumped on every new result, so renderers can cache their output per version
  version = 0
  private readonly slots = new Map<string, Slot>()
  private readonly sanitize: (text: string) => string
  private readonly inline: Prober
  private readonly isolated?: ProbeExecutor
  private closed = false

  constructor(
    definitions: readonly CheckDefinition[],
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
    sanitize: (text: string) => string = createSanitizer(config.secrets),
    // the executor for the catalogue's own checks (a worker thread in the running service); others run inline
    isolated?: ProbeExecutor,
  ) {
    this.definitions = definitions
    for (const def of definitions) this.slots.set(def.name, { def, notBefore: 0, probes: 0 })
    this.sanitize = sanitize
    this.inline = new Prober(config, log, sanitize)
    this.isolated = isolated
  }

  has(name: string): boolean {
    return this.slots.has(name)
  }

  probeCount(name: string): number {
    return this.slots.get(name)?.probes ?? 0
  }

  ttlOf(def: CheckDefinition): number {
    if (def.cacheTtlMs !== undefined) return def.cacheTtlMs
    return def.cache === 'third-party' ? this.config.health.HEALTH_THIRD_PARTY_CACHE_TTL_MS : this.config.health.HEALTH_CACHE_TTL_MS
  }

  timeoutOf(def: CheckDefinition): number {
    return def.timeoutMs ?? this.config.health.HEALTH_TIMEOUT_MS
  }

  // Returns synchronously when every result can come from the cache: the hot path of /ready and /health.
  collect(names: readonly string[], opts: CollectOptions = {}): CheckResult[] | Promise<CheckResult[]> {
    const out: CheckResult[] = new Array(names.length)
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
    const slot = this.slots.get(name)
    if (!slot) throw new Error(`unknown check ${name}`)
    const result = slot.result
    if (!result) return this.refresh(slot)
    const now = Date.now()
    if (opts.fresh && now - result.observedAt >= this.config.health.HEALTH_MIN_PROBE_INTERVAL_MS && now >= slot.notBefore) {
      return this.refresh(slot)
    }
    if (now < result.expiresAt || now < slot.notBefore) return result
    if (now - result.expiresAt <= this.config.health.HEALTH_MAX_STALE_MS) {
      // stale-while-revalidate: answer now, refresh once in the background
      if (!slot.inflight) void this.refresh(slot)
      return result
    }
    return this.refresh(slot)
  }

  // Until when collect(names) keeps answering what it answers now, short of a new result (which bumps the version):
  // the next expiry (it starts a refresh), the end of a Retry-After wait, or the moment a stale result whose refresh
  // is already running grows too old to serve. Lets renderers keep their bytes through a stale-while-revalidate
  // window instead of rendering the same stale results again for every request.
  validUntil(names: readonly string[], now = Date.now()): number {
    const maxStale = this.config.health.HEALTH_MAX_STALE_MS
    let until = Infinity
    for (const name of names) {
      const slot = this.slots.get(name)
      const r = slot?.result
      if (!slot || !r) return now
      const t =
        now < r.expiresAt || now < slot.notBefore
          ? Math.max(r.expiresAt, slot.notBefore)
          : slot.inflight && now - r.expiresAt <= maxStale
            ? r.expiresAt + maxStale + 1
            : now
      if (t < until) until = t
    }
    return until
  }

  private refresh(slot: Slot): Promise<CheckResult> {
    if (slot.inflight) return slot.inflight
    const p = this.evaluate(slot).then((result) => {
      slot.inflight = undefined
      this.store(slot, result)
      return result
    })
    slot.inflight = p
    return p
  }

  private store(slot: Slot, result: CheckResult): void {
    const previous = slot.result
    slot.result = result
    this.version++
    if (!previous || previous.status !== result.status || previous.reason !== result.reason) {
      const line = { check: result.name, status: result.status, previous: previous?.status ?? null, reason: result.reason ?? null, output: result.output ?? null }
      if (result.status === 'fail') this.log.warn(line, 'check status changed')
      else this.log.info(line, 'check status changed')
    }
  }

  private findings(def: CheckDefinition): { findings: Finding[]; blocking: SettingName[] } {
    const requires = def.requires ?? def.settings.filter((s) => settingMeta(s).required)
    const findings: Finding[] = []
    const blocking: SettingName[] = []
    for (const s of def.settings) {
      const f = this.config.findings.get(s)
      if (!f) continue
      findings.push(f)
      if (f.problem === 'missing' && requires.includes(s)) blocking.push(s)
    }
    if (def.validate) findings.push(...def.validate(this.config))
    return { findings, blocking }
  }

  private isConfigured(def: CheckDefinition): boolean {
    const by = def.configuredBy ?? def.settings.filter((s) => settingMeta(s).required)
    // a check that needs no setting is always configured
    return by.length === 0 || by.some((s) => this.config.present.has(s))
  }

  private async evaluate(slot: Slot): Promise<CheckResult> {
    const { def } = slot
    const started = performance.now()
    const observedAt = Date.now()
    const base = {
      name: def.name,
      tier: def.tier,
      componentType: def.componentType,
      observedAt,
      expiresAt: observedAt + this.ttlOf(def),
      liveCheck: def.live,
      measurements: [] as Measurement[],
    }
    if (def.tier === 'optional' && !this.isConfigured(def)) {
      const needed = def.configuredBy ?? def.settings.filter((s) => settingMeta(s).required)
      return { ...base, status: 'skipped', reason: Reason.NOT_CONFIGURED, output: `not configured (set ${needed.join(', ')} to enable)`, durationMs: 0, findings: [] }
    }
    const { findings, blocking } = this.findings(def)
    let obs: Observation | undefined
    let probeFailed: { reason: ReasonCode; message: string; retryAfterMs?: number } | undefined
    if (blocking.length > 0) {
      probeFailed = { reason: Reason.NOT_CONFIGURED, message: `cannot check: ${blocking.join(', ')} ${blocking.length === 1 ? 'is' : 'are'} not set` }
    } else if (def.start) {
      const outcome = await this.probe(slot)
      if ('error' in outcome) probeFailed = outcome.error
      else obs = outcome.obs
    }
    // a 429 says nothing about the dependency's health: it is a warning, not an outage
    const probeStatus: CheckStatus = probeFailed ? (probeFailed.reason === Reason.RATE_LIMITED ? 'warn' : 'fail') : (obs?.status ?? 'pass')
    const probePassed = base.liveCheck && probeStatus !== 'fail' && !probeFailed
    const resolved: ResolvedFinding[] = findings.map((f) => ({ ...f, severity: this.severity(f, def, probePassed) }))
    let status: CheckStatus = probeStatus
    for (const f of resolved) status = worst(status, f.severity)

    const outputs: string[] = []
    let reason: ReasonCode | undefined
    if (probeFailed) {
      reason = probeFailed.reason
      outputs.push(probeFailed.message)
    } else if (obs && obs.status && obs.status !== 'pass') {
      reason = obs.reason
      if (obs.output) outputs.push(obs.output)
    }
    const problems = resolved.filter((f) => !(probeFailed?.reason === Reason.NOT_CONFIGURED && f.problem === 'missing' && blocking.includes(f.setting as SettingName)))
    for (const f of problems) outputs.push(f.message)
    if (!reason && resolved.length > 0) {
      const first = resolved.find((f) => f.severity === status) ?? resolved[0]
      reason = first.problem === 'missing' ? Reason.NOT_CONFIGURED : Reason.MISCONFIGURED
    }
    if (!def.live && def.formatOnlyBecause && status !== 'pass') outputs.push(`format only: ${def.formatOnlyBecause}`)
    if (obs && (obs.status ?? 'pass') === 'pass' && obs.output && status !== 'pass') outputs.unshift(obs.output)

    const notBefore = obs?.retryAfterMs ?? probeFailed?.retryAfterMs
    if (notBefore) slot.notBefore = Date.now() + notBefore
    const output = outputs.length > 0 ? this.sanitize(outputs.join('; ')) : undefined
    return {
      ...base,
      expiresAt: Math.max(base.expiresAt, slot.notBefore),
      status,
      reason: status === 'pass' ? undefined : reason,
      output: status === 'pass' ? this.passOutput(def, obs) : output,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      findings: resolved.map((f) => ({ ...f, message: this.sanitize(f.message) })),
      details: obs?.details,
      measurements: (obs?.measurements ?? []).map((m) => (m.output ? { ...m, output: this.sanitize(m.output) } : m)),
    }
  }

  private passOutput(def: CheckDefinition, obs: Observation | undefined): string | undefined {
    if (obs?.output) return this.sanitize(obs.output)
    // a pass that proved nothing live says so
    return !def.live && def.formatOnlyBecause ? `format only: ${def.formatOnlyBecause}` : undefined
  }

  private severity(f: Finding, def: CheckDefinition, probePassed: boolean): 'warn' | 'fail' {
    if (f.severity) return f.severity
    if (!f.setting) return 'fail'
    const meta = settingMeta(f.setting as SettingName)
    // only a critical setting's format violation can fail a check by itself
    const critical = meta.required && (meta.tier ?? def.tier) === 'critical'
    if (!critical) return 'warn'
    // the live check is the authority on whether a credential works
    return probePassed ? 'warn' : 'fail'
  }

  private probe(slot: Slot): Promise<ProbeOutcome> {
    if (this.closed) return Promise.resolve(shuttingDown)
    slot.probes++
    const executor = this.isolated && isCatalogueCheck(slot.def) ? this.isolated : this.inline
    return executor.run(slot.def, this.timeoutOf(slot.def))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.allSettled([...this.slots.values()].map((s) => s.inflight))
    await Promise.allSettled([this.inline.close(), this.isolated?.close()])
  }
}

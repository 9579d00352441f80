import type { FastifyBaseLogger } from 'fastify'
import type { Config, Finding } from '../config.js'
import { settingMeta, settingNames, type platformSettings, type SettingName, type Tier } from '../settings.js'
import type { ReasonCode } from '../reasons.js'
import type { Clock } from '../engine/clock.js'
import type { HealthStatus } from '../engine/status.js'

export type ComponentType = 'datastore' | 'system' | 'component'

export type Scalar = string | number | boolean | null

// An extra measurement, rendered as its own "<name>:<measurement>" key (SQS backlog per queue, SES quota, ...).
export interface Measurement {
  measurement: string
  componentId?: string
  observedValue: Scalar
  observedUnit?: string
  status?: HealthStatus
  output?: string
}

// What a probe resolves with. A dependency that answers but is unhealthy is a value (status warn or fail),
// not a throw; throwing is for "could not find out" (refused, timeout, rejected credentials...).
export interface Observation {
  status?: HealthStatus
  reason?: ReasonCode
  output?: string
  details?: Record<string, Scalar>
  measurements?: Measurement[]
  // the provider asked us to wait (HTTP Retry-After); no probe is sent before it passes
  retryAfterMs?: number
  // nothing was asked over the network this time (the check's live part is switched off): liveCheck is false
  formatOnly?: boolean
}

// The settings, with those known to be present typed string.
export type PresentSettings<Present extends SettingName> = Config['settings'] & Readonly<Record<Present, string>>

// Present: the settings the engine guarantees are set when it calls start().
export interface CheckContext<Present extends SettingName = never> {
  config: Config & { settings: PresentSettings<Present> }
  // scrubs secrets out of every line itself, as the engine does out of every result
  log: FastifyBaseLogger
  // this check's own timeout, which the engine keeps (it cancels the probe's signal then): what messages quote
  timeoutMs: number
  // what a client's own connect and request timers are set to: a little past timeoutMs, so that the engine's
  // timer, which tells a slow dependency from this service's starved thread, always decides first
  clientTimeoutMs: number
  // the engine's wall clock, for a check that dates what it keeps from one probe to the next; default the system's
  clock?: Clock
}

export interface Probe {
  run(signal: AbortSignal): Promise<Observation>
  close?(): Promise<void>
}

export type CheckScope = 'local' | 'global'

export interface CheckDefinition {
  name: string
  tier: Tier
  componentType: ComponentType
  description: string
  // the settings whose findings this check reports
  settings: readonly SettingName[]
  // settings whose absence leaves nothing to probe; defaults to those marked required in the schema
  requires?: readonly SettingName[]
  // when any of these is set explicitly, the service counts as configured (optional checks are skipped otherwise)
  configuredBy?: readonly SettingName[]
  timeoutMs?: number
  cacheTtlMs?: number
  // the probe proves the dependency over the network; false for format-only checks
  live: boolean
  // which default cache lifetime applies: HEALTH_THIRD_PARTY_CACHE_TTL_MS or HEALTH_CACHE_TTL_MS
  cache: 'infrastructure' | 'third-party'
  // local: the answer depends on this replica's own path (its network, its connection), so every replica probes it;
  // global: it does not (a provider's API with shared credentials), so a fleet probes it once per lifetime
  // (HEALTH_FLEET_REDIS_URL). Unset: local.
  scope?: CheckScope
  // why there is no live check: set exactly when live is false
  formatOnlyBecause?: string
  // cross-setting rules (https in production, redirect URIs, key modes, ...)
  validate?(config: Config): Finding[]
  // called once, on first use: SDKs are imported and clients created here (never at import time),
  // and closed by the returned probe's close()
  start?(ctx: CheckContext): Probe | Promise<Probe>
}

export class CheckError extends Error {
  override name = 'CheckError'
  constructor(
    readonly reason: ReasonCode,
    message: string,
    readonly extra: { retryAfterMs?: number; details?: Observation['details'] } = {},
  ) {
    super(message)
  }
}

type Schema = typeof platformSettings
type SettingsWhere<Meta> = { [K in SettingName]: Schema[K] extends Meta ? K : never }[SettingName]

// The schema settings whose service is this check (none for a name only known at run time).
export type OwnSettings<Name extends string> = string extends Name ? never : SettingsWhere<{ service: Name }>

// What start() can count on: the engine probes only when no setting of `requires` (default: all the check's) that the schema marks required is missing.
export type RequiredPresent<Settings extends SettingName, Requires> = (Requires extends readonly SettingName[]
  ? Requires[number]
  : Settings) &
  Settings &
  SettingsWhere<{ required: true }>

// A check as its file writes it: its settings are the schema's, found by the check's name.
export type CheckSpec<
  Name extends string,
  Also extends SettingName,
  Requires extends readonly SettingName[] | undefined,
> = Omit<CheckDefinition, 'name' | 'settings' | 'requires' | 'live' | 'formatOnlyBecause' | 'start'> &
  (
    | { live: true; formatOnlyBecause?: undefined; scope: CheckScope }
    | { live: false; formatOnlyBecause: string; scope?: undefined }
  ) & {
    name: Name
    // settings of other checks whose findings this check reports too (a required one that is missing blocks its probe)
    alsoReads?: readonly Also[]
    // settings whose absence leaves nothing to probe; defaults to those marked required in the schema
    requires?: Requires
    start?(ctx: CheckContext<RequiredPresent<OwnSettings<Name> | Also, Requires>>): Probe | Promise<Probe>
  }

export function defineCheck<
  const Name extends string,
  const Also extends SettingName = never,
  const Requires extends readonly SettingName[] | undefined = undefined,
>(spec: CheckSpec<Name, Also, Requires>): CheckDefinition {
  const { alsoReads, ...def } = spec
  const also: readonly SettingName[] = alsoReads ?? []
  // schema order, which is the order findings are reported in
  const settings = settingNames.filter((s) => settingMeta(s).service === spec.name || also.includes(s))
  return { ...def, settings }
}

import type { Config, Finding } from '../config.js'
import { settingMeta, type SettingName } from '../settings.js'
import { unusable } from '../formats.js'
import { Reason, type ReasonCode } from '../reasons.js'
import type { CheckDefinition, Measurement, Observation, Scalar } from '../checks/types.js'
import type { ProbeOutcome } from './executor.js'
import type { ResolvedFinding } from './result.js'
import { worst, type CheckStatus, type Failure } from './status.js'

// What the settings say before any probe: whether the check is configured, what is wrong, and what blocks a probe.
export interface Preflight {
  configured: boolean
  // the settings that would configure it, for the skipped output
  configuredBy: readonly SettingName[]
  findings: Finding[]
  // required settings that are missing: nothing to probe
  blocking: SettingName[]
  // the check's settings whose value no client can use (another scheme, not a port): never handed to one
  unusable: Finding[]
}

// A check's status and words, from its settings and its probe's outcome.
export interface Verdict {
  status: CheckStatus
  reason?: ReasonCode
  output?: string
  liveCheck: boolean
  findings: ResolvedFinding[]
  details?: Record<string, Scalar>
  measurements: Measurement[]
  // the provider asked for no probe before this many milliseconds
  retryAfterMs?: number
}

export function preflight(def: CheckDefinition, config: Config): Preflight {
  const required = def.settings.filter((s) => settingMeta(s).required)
  const configuredBy = def.configuredBy ?? required
  // a check that needs no setting is always configured
  const configured = configuredBy.length === 0 || configuredBy.some((s) => config.present.has(s))
  const requires = def.requires ?? required
  const findings: Finding[] = []
  const blocking: SettingName[] = []
  const unusableFindings: Finding[] = []
  for (const s of def.settings) {
    const f = config.findings.get(s)
    if (!f) continue
    findings.push(f)
    if (f.problem === 'missing' && requires.includes(s)) blocking.push(s)
    // only a probe hands values to a client; a setting borrowed from another service and not required is the
    // check's to do without (sqs's CloudWatch endpoint)
    const own = def.start !== undefined && (requires.includes(s) || settingMeta(s).service === def.name)
    const format = settingMeta(s).format
    const value = config.settings[s]
    if (f.problem === 'malformed' && own && format && value !== undefined && unusable(format, value))
      unusableFindings.push(f)
  }
  if (def.validate) findings.push(...def.validate(config))
  return { configured, configuredBy, findings, blocking, unusable: unusableFindings }
}

// Whether the judge needs a probe's outcome: not for a skipped check, one blocked by missing or unusable settings,
// or one without a probe.
export function needsProbe(def: CheckDefinition, pre: Preflight): boolean {
  return !isSkipped(def, pre) && pre.blocking.length === 0 && pre.unusable.length === 0 && def.start !== undefined
}

function isSkipped(def: CheckDefinition, pre: Preflight): boolean {
  return def.tier === 'optional' && !pre.configured
}

function isLive(def: CheckDefinition): boolean {
  return def.live
}

// Only a critical setting's format violation can fail a check by itself, and the live check is the authority on
// whether a credential works.
function severity(f: Finding, def: CheckDefinition, probePassed: boolean): 'warn' | 'fail' {
  if (f.severity) return f.severity
  if (!f.setting) return 'fail'
  const meta = settingMeta(f.setting as SettingName)
  const critical = meta.required && (meta.tier ?? def.tier) === 'critical'
  if (!critical) return 'warn'
  return probePassed ? 'warn' : 'fail'
}

// Pure: no timers, no I/O. `outcome` is the probe's, when needsProbe() said one runs.
export function judge(def: CheckDefinition, pre: Preflight, outcome?: ProbeOutcome): Verdict {
  const liveCheck = isLive(def)
  if (isSkipped(def, pre)) {
    return {
      status: 'skipped',
      reason: Reason.NOT_CONFIGURED,
      output: `not configured (set ${pre.configuredBy.join(', ')} to enable)`,
      liveCheck,
      findings: [],
      measurements: [],
    }
  }
  const { findings, blocking } = pre
  let obs: Observation | undefined
  let failed: Failure | undefined
  if (blocking.length > 0) {
    failed = {
      reason: Reason.NOT_CONFIGURED,
      message: `cannot check: ${blocking.join(', ')} ${blocking.length === 1 ? 'is' : 'are'} not set`,
    }
  } else if (pre.unusable.length > 0) {
    failed = {
      reason: Reason.MISCONFIGURED,
      message: `${pre.unusable.map((f) => f.message).join('; ')}; not probed: no client can be given this value`,
    }
  } else if (outcome) {
    if ('error' in outcome) failed = outcome.error
    else obs = outcome.obs
  }
  // a 429 says nothing about the dependency's health: it is a warning, not an outage
  const probeStatus: CheckStatus = failed
    ? failed.reason === Reason.RATE_LIMITED
      ? 'warn'
      : 'fail'
    : (obs?.status ?? 'pass')
  // a live check whose live part is switched off (Sentry without SENTRY_CHECK_INGEST) proved nothing over the network
  const proved = liveCheck && obs?.formatOnly !== true
  const probePassed = proved && probeStatus !== 'fail' && !failed
  const resolved: ResolvedFinding[] = findings.map((f) => ({ ...f, severity: severity(f, def, probePassed) }))
  let status: CheckStatus = probeStatus
  for (const f of resolved) status = worst(status, f.severity)

  const formatOnly = !def.live && def.formatOnlyBecause ? `format only: ${def.formatOnlyBecause}` : undefined
  const common = {
    liveCheck: proved,
    findings: resolved,
    details: obs?.details,
    measurements: obs?.measurements ?? [],
    retryAfterMs: obs?.retryAfterMs ?? failed?.retryAfterMs,
  }
  // a pass that proved nothing live says so
  if (status === 'pass') return { ...common, status, output: obs?.output || formatOnly }

  const outputs: string[] = []
  let reason: ReasonCode | undefined
  if (failed) {
    reason = failed.reason
    outputs.push(failed.message)
  } else if (obs && obs.status && obs.status !== 'pass') {
    reason = obs.reason
    if (obs.output) outputs.push(obs.output)
  }
  // a missing setting that blocked the probe is already named by the NOT_CONFIGURED message
  const blockedByMissing = (f: Finding) =>
    failed?.reason === Reason.NOT_CONFIGURED && f.problem === 'missing' && blocking.includes(f.setting as SettingName)
  const blockedByUnusable = (f: Finding) =>
    failed?.reason === Reason.MISCONFIGURED &&
    pre.unusable.some((u) => u.setting === f.setting && u.message === f.message)
  for (const f of resolved) if (!blockedByMissing(f) && !blockedByUnusable(f)) outputs.push(f.message)
  if (!reason && resolved.length > 0) {
    const first = resolved.find((f) => f.severity === status) ?? resolved[0]
    reason = first.problem === 'missing' ? Reason.NOT_CONFIGURED : Reason.MISCONFIGURED
  }
  if (formatOnly) outputs.push(formatOnly)
  if (obs && (obs.status ?? 'pass') === 'pass' && obs.output) outputs.unshift(obs.output)
  return { ...common, status, reason, output: outputs.length > 0 ? outputs.join('; ') : undefined }
}

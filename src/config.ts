import { readFileSync } from 'node:fs'
import { parse as parseDotenv } from 'dotenv'
import { Type, FormatRegistry, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { MAX_THRESHOLD, parseDamping } from './engine/damping.js'
import { formats } from './formats.js'
import { settingMeta, settingNames, type SettingName, type Settings } from './settings.js'

for (const [name, rule] of Object.entries(formats)) {
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, (value) => rule(value) === null)
}

export { platformSettings, settingMeta, settingNames } from './settings.js'
export type { SettingMeta, SettingName, Settings, Tier } from './settings.js'

// The settings' own disclosure levels; the routes turn them into what a caller is shown.
export const disclosureLevels = ['always', 'authorized', 'never'] as const
export type DisclosureLevel = (typeof disclosureLevels)[number]

// a bearer token shorter than this is guessable (`openssl rand -hex 16` gives 32)
export const MIN_TOKEN_LENGTH = 32
// fewer distinct characters than this is a typed or patterned token, not a generated one
const MIN_TOKEN_DISTINCT = 10
// words that mark a copied example rather than a generated secret (secret.env.example says replace-with-...)
// (five letters or more, so that a random base64 token all but never holds one by chance)
const PLACEHOLDER_WORDS =
  /replace|change|example|placeholder|secret|token|passw|openssl|generate|insert|your[-_]|dummy|sample|fixme|xxxxx/i
// what an Authorization: Bearer header can carry (RFC 6750 b64token)
export const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

// Why a token of HEALTH_AUTH_TOKENS is refused, in words that never quote it (they are printed at start).
export function tokenWeakness(token: string): string | undefined {
  const generate = '(generate one with `openssl rand -hex 32`)'
  if (token.length < MIN_TOKEN_LENGTH)
    return `has ${token.length} characters, expected at least ${MIN_TOKEN_LENGTH} ${generate}`
  if (!BEARER_TOKEN.test(token)) return 'has a character a bearer token cannot carry (letters, digits and -._~+/ only)'
  if (PLACEHOLDER_WORDS.test(token))
    return `is a placeholder, not a generated secret (it has a word such as replace, example, secret or token): replace it ${generate}`
  if (new Set(token).size < MIN_TOKEN_DISTINCT || /^(.+?)\1+$/.test(token))
    return `is a pattern, not a generated secret (fewer than ${MIN_TOKEN_DISTINCT} distinct characters, or a repeated run): replace it ${generate}`
  return undefined
}

// The tokens of HEALTH_AUTH_TOKENS, without blanks around or between commas.
export function authTokens(raw: string): string[] {
  return raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
}

// The URLs of HEALTH_NOTIFY_URLS, without blanks around them.
export function notifyUrls(raw: string): string[] {
  return authTokens(raw)
}

function parsedUrl(value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

// A webhook URL the notifier can POST to, or undefined: slack+http(s):// asks for Slack's body at any host.
export function webhookUrl(value: string): { url: URL; slack: boolean } | undefined {
  const explicit = value.startsWith('slack+')
  const url = parsedUrl(explicit ? value.slice('slack+'.length) : value)
  if (!url || !/^https?:$/.test(url.protocol) || !url.hostname) return undefined
  return { url, slack: explicit || url.hostname === 'hooks.slack.com' }
}

const positiveMs = (def: number, description: string) => Type.Integer({ minimum: 1, default: def, description })

// The service's own settings: these fail fast at start.
export const HealthSettings = Type.Object({
  HEALTH_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8080,
    description: 'Port the health service listens on',
  }),
  HEALTH_HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address the health service listens on' }),
  HEALTH_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'pino log level' },
  ),
  HEALTH_TIMEOUT_MS: positiveMs(2000, 'Default timeout of a probe'),
  HEALTH_CACHE_TTL_MS: positiveMs(5000, 'Cache lifetime of infrastructure checks (databases, AWS)'),
  HEALTH_THIRD_PARTY_CACHE_TTL_MS: positiveMs(300000, 'Cache lifetime of third-party API checks'),
  HEALTH_MAX_STALE_MS: Type.Integer({
    minimum: 0,
    default: 300000,
    description: 'How long past its lifetime a result may be served while one refresh runs',
  }),
  HEALTH_MIN_PROBE_INTERVAL_MS: Type.Integer({
    minimum: 0,
    default: 1000,
    description: 'A fresh probe (?fresh) never runs more often than this per check',
  }),
  HEALTH_REFRESH: Type.Union([Type.Literal('background'), Type.Literal('on-demand')], {
    default: 'background',
    description:
      'background (the default): every probing check is refreshed on its own schedule shortly before its result expires, whether or not anything polls, so every answer and metric is at most one lifetime old and a poll never waits for a probe; on-demand: a result is refreshed only when a request finds it expired, so a check nobody asks about is never probed',
  }),
  HEALTH_MAX_CONCURRENT_PROBES: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 4,
    description:
      'How many background refreshes may run at once; the others wait their turn, most overdue first (requests and ?fresh are not held back)',
  }),
  HEALTH_DEEP_CHECKS: Type.Boolean({
    default: false,
    description: 'Allow checks that spend tokens or money (at most a one-token completion)',
  }),
  HEALTH_AWS_EXPIRY_WARN_S: Type.Integer({
    minimum: 0,
    default: 3600,
    description: 'Warn when temporary AWS credentials expire sooner than this',
  }),
  HEALTH_SES_QUOTA_WARN: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.8,
    description: 'Warn when this share of the SES 24-hour quota is used',
  }),
  HEALTH_SQS_BACKLOG_WARN: Type.Integer({
    minimum: 0,
    default: 1000,
    description: 'Warn when a queue holds more messages than this',
  }),
  HEALTH_SQS_AGE_WARN_S: Type.Integer({
    minimum: 0,
    default: 900,
    description: 'Warn when the oldest message of a queue is older than this',
  }),
  HEALTH_SHUTDOWN_DELAY_MS: Type.Integer({
    minimum: 0,
    default: 5000,
    description:
      'On SIGTERM, how long the service keeps serving, /ready answering 503 and every answer Connection: close, before it stops accepting connections. 5 s covers the few seconds Kubernetes takes to drop a pod from its endpoints and one poll of a load balancer; make it longer than its polling interval',
  }),
  HEALTH_SHUTDOWN_GRACE_MS: positiveMs(
    10000,
    "Longest shutdown, from the signal (the delay included) to the exit, for in-flight requests to finish; keep it under the orchestrator's own limit (terminationGracePeriodSeconds, 30 s by default)",
  ),
  HEALTH_SERVICE_ID: Type.String({
    minLength: 1,
    default: 'huntaze-health',
    description: 'serviceId in the health report',
  }),
  HEALTH_ENV_FILE: Type.String({ default: '.env', description: 'Path of the .env file read at start, when present' }),
  HEALTH_DETAILS: Type.Union(
    disclosureLevels.map((l) => Type.Literal(l)),
    {
      default: 'authorized',
      description:
        'Who sees the details of each result (output, findings, details, measurements: hosts, server versions, account ids, ARNs, bucket and queue names, provider messages); every other caller gets statuses and reason codes only. authorized (the default): a caller with a HEALTH_AUTH_TOKENS bearer token, because /health is often reachable by more than its monitors and a host or a version helps an attacker; never: nobody; always: everybody, for a private network only, where every caller may read them',
    },
  ),
  HEALTH_FAIL_AFTER: Type.Integer({
    minimum: 1,
    maximum: MAX_THRESHOLD,
    default: 1,
    description:
      "How many consecutive probes must agree before a check's reported status gets worse (pass to warn, or to fail). 1 reports every probe as it is; more damps a flapping dependency, at the price of reporting an outage that many probes (cache lifetimes) later",
  }),
  HEALTH_RECOVER_AFTER: Type.Integer({
    minimum: 1,
    maximum: MAX_THRESHOLD,
    default: 1,
    description: "How many consecutive probes must agree before a check's reported status gets better",
  }),
  HEALTH_DAMPING: Type.String({
    default: '',
    description:
      'Per-check thresholds that override HEALTH_FAIL_AFTER and HEALTH_RECOVER_AFTER: name=failAfter/recoverAfter separated by commas, for instance stripe=3/2,redis=2/1',
  }),
  HEALTH_NOTIFY_URLS: Type.String({
    default: '',
    description:
      "Comma-separated webhook URLs (http or https) that get a POST when a check's reported status changes; a Slack incoming-webhook URL (hooks.slack.com) gets Slack's text body, any other URL the JSON event; a slack+https:// URL sends Slack's body to any Slack-compatible receiver (Mattermost, Rocket.Chat). A secret: such URLs carry tokens",
  }),
  HEALTH_NOTIFY_TIMEOUT_MS: positiveMs(
    5000,
    'How long one attempt to deliver a webhook notification may take before it counts as failed (and is retried)',
  ),
  HEALTH_NOTIFY_RETRIES: Type.Integer({
    minimum: 0,
    maximum: 10,
    default: 3,
    description:
      "How many times a failed webhook delivery is tried again, after 1 s, 2 s, 4 s... and at most 60 s apart, or after the receiver's Retry-After up to 60 s (a 4xx answer other than 408 and 429 is not retried)",
  }),
  HEALTH_PUBLIC_URL: Type.String({
    default: '',
    description:
      'The base URL people reach this service at (https://health.example.com): notifications link to its /health/{service}; unset, they carry the path only',
  }),
  HEALTH_FLEET_REDIS_URL: Type.String({
    default: '',
    description:
      'A Redis (redis:// or rediss://) the replicas share to act as one: each global check (a provider API) is probed once per lifetime for the whole fleet and its result shared, and each change of such a check is notified once. Unset: every replica probes and notifies on its own. Readiness never depends on it; a secret when it carries a password',
  }),
  HEALTH_AUTH_TOKENS: Type.String({
    default: '',
    description: `Comma-separated bearer tokens that see the details (several, to rotate one without downtime), each at least ${MIN_TOKEN_LENGTH} characters from a generator (openssl rand -hex 32; a placeholder such as the example's, or a patterned token, is refused at start); a secret. With HEALTH_DETAILS=authorized and none set, nobody sees the details`,
  }),
})

export type HealthOptions = Static<typeof HealthSettings>

// The service's own settings whose values are secrets (tokens, and webhook URLs that carry one).
export const secretHealthSettings: ReadonlySet<keyof HealthOptions> = new Set([
  'HEALTH_AUTH_TOKENS',
  'HEALTH_NOTIFY_URLS',
  'HEALTH_FLEET_REDIS_URL',
])

export interface Finding {
  setting?: string
  problem: 'missing' | 'malformed' | 'invalid'
  message: string
  // unset: decided by the check's tier and whether its live check accepts the value
  severity?: 'warn' | 'fail'
}

export interface Config {
  settings: Readonly<Settings>
  health: Readonly<HealthOptions>
  // settings set explicitly (not by a default), for the "is it configured" question
  present: ReadonlySet<SettingName>
  // one finding per missing-but-required or malformed setting
  findings: ReadonlyMap<SettingName, Finding>
  // secret values, for scrubbing messages and logs
  secrets: readonly string[]
  production: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function loadHealthOptions(env: Record<string, string | undefined>): HealthOptions {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(HealthSettings.properties)) {
    const v = env[key]
    if (v !== undefined && v.trim() !== '') raw[key] = v.trim()
  }
  const props = HealthSettings.properties as Record<
    string,
    { type?: string; description?: string; anyOf?: { const: string }[] }
  >
  const lines: string[] = []
  for (const [key, value] of Object.entries(raw)) {
    // Convert would truncate 1.5 to 1: a whole number must be written as one
    if (props[key].type === 'integer' && !/^-?\d+$/.test(String(value)))
      lines.push(`${key}: expected an integer, a whole number (${props[key].description})`)
  }
  const converted = Value.Default(HealthSettings, Value.Convert(HealthSettings, raw))
  for (const e of Value.Errors(HealthSettings, converted)) {
    const key = e.path.replace(/^\//, '')
    if (lines.some((l) => l.startsWith(`${key}:`))) continue
    const schema = props[key]
    const expected = schema?.anyOf ? `expected one of ${schema.anyOf.map((a) => a.const).join(', ')}` : e.message
    lines.push(`${key}: ${expected}${schema?.description ? ` (${schema.description})` : ''}`)
  }
  // the length of each token, never the token: the message is printed at start
  const tokens = authTokens(typeof raw.HEALTH_AUTH_TOKENS === 'string' ? raw.HEALTH_AUTH_TOKENS : '')
  tokens.forEach((t, i) => {
    const which = `HEALTH_AUTH_TOKENS: token ${i + 1} of ${tokens.length}`
    const weakness = tokenWeakness(t)
    if (weakness) lines.push(`${which} ${weakness}`)
  })
  const damping = parseDamping(typeof raw.HEALTH_DAMPING === 'string' ? raw.HEALTH_DAMPING : '')
  if (Array.isArray(damping)) lines.push(...damping.map((p) => `HEALTH_DAMPING: ${p}`))
  // the position of each URL, never the URL: it carries a token and the message is printed at start
  const hooks = notifyUrls(typeof raw.HEALTH_NOTIFY_URLS === 'string' ? raw.HEALTH_NOTIFY_URLS : '')
  hooks.forEach((u, i) => {
    if (!webhookUrl(u))
      lines.push(
        `HEALTH_NOTIFY_URLS: URL ${i + 1} of ${hooks.length} is not an http, https, slack+http or slack+https URL`,
      )
  })
  const publicUrl = typeof raw.HEALTH_PUBLIC_URL === 'string' ? raw.HEALTH_PUBLIC_URL : ''
  if (publicUrl !== '' && !/^https?:$/.test(parsedUrl(publicUrl)?.protocol ?? ''))
    lines.push('HEALTH_PUBLIC_URL: expected an http or https URL, such as https://health.example.com')
  const fleetUrl = typeof raw.HEALTH_FLEET_REDIS_URL === 'string' ? raw.HEALTH_FLEET_REDIS_URL : ''
  if (fleetUrl !== '' && !/^rediss?:$/.test(parsedUrl(fleetUrl)?.protocol ?? ''))
    lines.push(
      'HEALTH_FLEET_REDIS_URL: expected a redis:// or rediss:// URL, such as redis://redis.example.internal:6379/1',
    )
  if (lines.length > 0) throw new ConfigError(`invalid health service settings:\n  ${lines.join('\n  ')}`)
  return converted as HealthOptions
}

function urlPassword(value: string): string[] {
  try {
    const password = decodeURIComponent(new URL(value).password)
    return password ? [password] : []
  } catch {
    return []
  }
}

// A webhook URL is a secret whole, and so is its path and query: the token lives there, and an error may quote it
// without the host.
function webhookSecrets(raw: string): string[] {
  return notifyUrls(raw).flatMap((u) => {
    const parsed = webhookUrl(u)?.url
    const path = parsed ? `${parsed.pathname.slice(1)}${parsed.search}` : ''
    // a short path ("/hook") is a word, not a token: scrubbing it would redact ordinary text
    return path.length >= 16 ? [u, path] : [u]
  })
}

function readEnvFile(path: string): Record<string, string> {
  try {
    return parseDotenv(readFileSync(path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new ConfigError(`cannot read HEALTH_ENV_FILE ${path}: ${(err as Error).message}`)
  }
}

// Platform settings never throw: problems become findings. Only HEALTH_* settings fail fast.
export function loadConfig(
  source: Record<string, string | undefined> = process.env,
  options: { envFile?: boolean } = {},
): Config {
  const envFilePath = source.HEALTH_ENV_FILE?.trim() || '.env'
  const fileVars = options.envFile === false ? {} : readEnvFile(envFilePath)
  const env: Record<string, string | undefined> = { ...fileVars, ...source }
  const health = loadHealthOptions(env)

  const settings: Record<string, string> = {}
  const present = new Set<SettingName>()
  const findings = new Map<SettingName, Finding>()
  const secrets: string[] = [
    ...authTokens(health.HEALTH_AUTH_TOKENS),
    ...webhookSecrets(health.HEALTH_NOTIFY_URLS),
    ...urlPassword(health.HEALTH_FLEET_REDIS_URL),
  ]
  for (const name of settingNames) {
    const meta = settingMeta(name)
    const raw = env[name]?.trim()
    const value = raw === undefined || raw === '' ? meta.default : raw
    if (value === undefined) {
      if (meta.required)
        findings.set(name, { setting: name, problem: 'missing', message: `${name} is not set (${meta.description})` })
      continue
    }
    settings[name] = value
    if (raw) present.add(name)
    // any URL with a password in it is secret, whatever the setting
    if (meta.secret) secrets.push(value)
    secrets.push(...urlPassword(value))
    if (meta.format) {
      const problem = formats[meta.format](value)
      if (problem)
        findings.set(name, { setting: name, problem: 'malformed', message: `${name} is malformed: ${problem}` })
    }
  }
  return {
    settings: settings as Settings,
    health,
    present,
    findings,
    secrets: secrets.filter((s) => s.length >= 4),
    production: settings.NODE_ENV === 'production',
  }
}

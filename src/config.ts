import { readFileSync } from 'node:fs'
import { parse as parseDotenv } from 'dotenv'
import { Type, FormatRegistry, type Static, type TString, type TOptional } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { MAX_THRESHOLD, parseDamping } from './engine/damping.js'
import { formats, type FormatName } from './formats.js'

export type Tier = 'critical' | 'important' | 'optional'

for (const [name, rule] of Object.entries(formats)) {
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, (value) => rule(value) === null)
}

export interface SettingMeta {
  service: string
  description: string
  format?: FormatName
  default?: string
  // missing means the check cannot run (or, for format-only checks, cannot pass)
  required?: boolean
  // defaults to the owning service's tier
  tier?: Tier
  secret?: boolean
}

export type SettingSchema = (TString | TOptional<TString>) & SettingMeta

// A defaulted setting is always there once loaded (string, not string | undefined); the meta stays in the type for the checks.
function setting<const M extends SettingMeta>(
  meta: M,
): (M extends { default: string } ? TString : TOptional<TString>) & M
function setting(meta: SettingMeta): SettingSchema {
  return (
    meta.default !== undefined ? Type.String({ ...meta }) : Type.Optional(Type.String({ ...meta }))
  ) as SettingSchema
}

// The platform's settings, as docs/services.md lists them, plus the provider base URLs and check options.
export const PlatformSettings = Type.Object({
  DATABASE_URL: setting({
    service: 'postgres',
    required: true,
    secret: true,
    format: 'postgres-url',
    description: 'PostgreSQL connection URL',
  }),
  DATABASE_HOST: setting({
    service: 'postgres',
    format: 'hostname',
    description: 'Overrides the host of DATABASE_URL',
  }),
  DATABASE_PORT: setting({ service: 'postgres', format: 'port', description: 'Overrides the port of DATABASE_URL' }),
  DATABASE_NAME: setting({
    service: 'postgres',
    format: 'present',
    description: 'Overrides the database of DATABASE_URL',
  }),
  DATABASE_USER: setting({ service: 'postgres', format: 'present', description: 'Overrides the user of DATABASE_URL' }),
  DATABASE_PASSWORD: setting({
    service: 'postgres',
    secret: true,
    description: 'Overrides the password of DATABASE_URL',
  }),

  REDIS_URL: setting({
    service: 'redis',
    required: true,
    secret: true,
    format: 'redis-url',
    description: 'Redis connection URL',
  }),

  UPSTASH_REDIS_REST_URL: setting({
    service: 'upstash',
    required: true,
    format: 'https-url',
    description: 'Upstash Redis REST endpoint',
  }),
  UPSTASH_REDIS_REST_TOKEN: setting({
    service: 'upstash',
    required: true,
    secret: true,
    format: 'present',
    description: 'Upstash Redis REST token',
  }),

  AWS_REGION: setting({
    service: 'aws',
    required: true,
    format: 'aws-region',
    description: 'AWS region of every AWS client',
  }),
  AWS_ACCESS_KEY_ID: setting({
    service: 'aws',
    secret: true,
    format: 'aws-access-key-id',
    description: 'Static access key id; without it the SDK default provider chain (IAM role) is used',
  }),
  AWS_SECRET_ACCESS_KEY: setting({
    service: 'aws',
    secret: true,
    format: 'present',
    description: 'Static secret access key, with AWS_ACCESS_KEY_ID',
  }),
  AWS_SESSION_TOKEN: setting({
    service: 'aws',
    secret: true,
    format: 'present',
    description: 'Session token of temporary credentials',
  }),
  AWS_CREDENTIAL_EXPIRATION: setting({
    service: 'aws',
    format: 'iso-date-time',
    description:
      'When AWS_SESSION_TOKEN expires (ISO 8601), as the SDK reads it; lets the aws check warn before it does',
  }),
  FROM_EMAIL: setting({
    service: 'ses',
    required: true,
    tier: 'important',
    format: 'email',
    description: 'Sender address of platform email; its SES identity should be verified',
  }),
  AWS_S3_BUCKET: setting({
    service: 's3',
    default: 'content-creation-media',
    format: 's3-bucket',
    description: 'Media bucket that must exist and be reachable',
  }),
  AWS_EVENTBRIDGE_BUS: setting({
    service: 'eventbridge',
    default: 'default',
    format: 'event-bus',
    description: 'Event bus name or ARN that must exist',
  }),
  AWS_SQS_QUEUE_URLS: setting({
    service: 'sqs',
    required: true,
    format: 'sqs-queue-urls',
    description: 'Comma-separated SQS queue URLs; each must answer its attributes',
  }),

  AWS_ENDPOINT_URL: setting({
    service: 'aws',
    format: 'url',
    description: 'Endpoint for every AWS client (LocalStack, MinIO, a proxy); the SDK variable of the same name',
  }),
  AWS_ENDPOINT_URL_STS: setting({ service: 'aws', format: 'url', description: 'STS endpoint, over AWS_ENDPOINT_URL' }),
  AWS_ENDPOINT_URL_SESV2: setting({
    service: 'ses',
    format: 'url',
    description: 'SES (v2 API) endpoint, over AWS_ENDPOINT_URL',
  }),
  AWS_ENDPOINT_URL_S3: setting({
    service: 's3',
    format: 'url',
    description: 'S3 endpoint, over AWS_ENDPOINT_URL (path-style addressing is used when set)',
  }),
  AWS_ENDPOINT_URL_EVENTBRIDGE: setting({
    service: 'eventbridge',
    format: 'url',
    description: 'EventBridge endpoint, over AWS_ENDPOINT_URL',
  }),
  AWS_ENDPOINT_URL_SQS: setting({ service: 'sqs', format: 'url', description: 'SQS endpoint, over AWS_ENDPOINT_URL' }),
  AWS_ENDPOINT_URL_CLOUDWATCH: setting({
    service: 'cloudwatch',
    format: 'url',
    description: 'CloudWatch endpoint, over AWS_ENDPOINT_URL',
  }),

  AZURE_OPENAI_API_KEY: setting({
    service: 'azure-openai',
    required: true,
    secret: true,
    format: 'azure-openai-key',
    description: 'Azure OpenAI key (64 characters)',
  }),
  AZURE_OPENAI_ENDPOINT: setting({
    service: 'azure-openai',
    required: true,
    format: 'azure-openai-endpoint',
    description: 'Azure OpenAI resource endpoint',
  }),
  AZURE_OPENAI_API_VERSION: setting({
    service: 'azure-openai',
    required: true,
    format: 'api-version',
    description: 'Azure OpenAI API version, a real date YYYY-MM-DD',
  }),
  AZURE_OPENAI_DEPLOYMENT: setting({
    service: 'azure-openai',
    required: true,
    format: 'azure-deployment',
    description: 'Deployment name that must exist',
  }),
  AZURE_OPENAI_BASE_URL: setting({
    service: 'azure-openai',
    format: 'url',
    description: 'Where requests are sent, when not AZURE_OPENAI_ENDPOINT (egress proxy, test fake)',
  }),

  OPENAI_API_KEY: setting({
    service: 'openai',
    required: true,
    secret: true,
    format: 'openai-key',
    description: 'OpenAI key (fallback AI)',
  }),
  OPENAI_BASE_URL: setting({
    service: 'openai',
    default: 'https://api.openai.com/v1',
    format: 'url',
    description: 'OpenAI API base URL',
  }),

  NEXTAUTH_URL: setting({
    service: 'auth',
    required: true,
    format: 'url',
    description: 'Public URL of NextAuth; https in production',
  }),
  NEXTAUTH_SECRET: setting({
    service: 'auth',
    required: true,
    secret: true,
    format: 'secret-32',
    description: 'NextAuth secret, at least 32 characters',
  }),
  JWT_SECRET: setting({
    service: 'auth',
    required: true,
    secret: true,
    format: 'secret-32',
    description: 'JWT signing secret, at least 32 characters',
  }),
  TOKEN_ENCRYPTION_KEY: setting({
    service: 'auth',
    secret: true,
    format: 'base64-32',
    description: 'Token encryption key: 44 characters of base64 (32 bytes)',
  }),

  INSTAGRAM_APP_ID: setting({
    service: 'instagram',
    required: true,
    format: 'numeric',
    description: 'Instagram (Meta) app id',
  }),
  INSTAGRAM_APP_SECRET: setting({
    service: 'instagram',
    required: true,
    secret: true,
    format: 'present',
    description: 'Instagram (Meta) app secret',
  }),
  NEXT_PUBLIC_INSTAGRAM_REDIRECT_URI: setting({
    service: 'instagram',
    required: true,
    format: 'url',
    description: 'Must be <NEXT_PUBLIC_APP_URL>/auth/instagram/callback',
  }),
  INSTAGRAM_GRAPH_URL: setting({
    service: 'instagram',
    default: 'https://graph.facebook.com',
    format: 'url',
    description: 'Graph API base URL',
  }),

  TIKTOK_CLIENT_KEY: setting({
    service: 'tiktok',
    required: true,
    secret: true,
    format: 'present',
    description: 'TikTok client key',
  }),
  TIKTOK_CLIENT_SECRET: setting({
    service: 'tiktok',
    required: true,
    secret: true,
    format: 'present',
    description: 'TikTok client secret',
  }),
  NEXT_PUBLIC_TIKTOK_REDIRECT_URI: setting({
    service: 'tiktok',
    required: true,
    format: 'url',
    description: 'Must be <NEXT_PUBLIC_APP_URL>/auth/tiktok/callback',
  }),
  TIKTOK_API_URL: setting({
    service: 'tiktok',
    default: 'https://open.tiktokapis.com',
    format: 'url',
    description: 'TikTok API base URL',
  }),

  REDDIT_CLIENT_ID: setting({ service: 'reddit', required: true, format: 'present', description: 'Reddit client id' }),
  REDDIT_CLIENT_SECRET: setting({
    service: 'reddit',
    required: true,
    secret: true,
    format: 'present',
    description: 'Reddit client secret',
  }),
  NEXT_PUBLIC_REDDIT_REDIRECT_URI: setting({
    service: 'reddit',
    required: true,
    format: 'url',
    description: 'Must be <NEXT_PUBLIC_APP_URL>/auth/reddit/callback',
  }),
  REDDIT_USER_AGENT: setting({
    service: 'reddit',
    required: true,
    format: 'user-agent',
    description: 'Descriptive user agent sent to Reddit',
  }),
  REDDIT_API_URL: setting({
    service: 'reddit',
    default: 'https://www.reddit.com',
    format: 'url',
    description: 'Reddit OAuth base URL',
  }),

  ONLYFANS_API_KEY: setting({
    service: 'onlyfans',
    required: true,
    secret: true,
    format: 'present',
    description: 'OnlyFans API key (format only)',
  }),

  GOOGLE_CLIENT_ID: setting({
    service: 'google',
    required: true,
    format: 'google-client-id',
    description: 'Google OAuth client id',
  }),
  GOOGLE_CLIENT_SECRET: setting({
    service: 'google',
    required: true,
    secret: true,
    format: 'present',
    description: 'Google OAuth client secret',
  }),
  GOOGLE_TOKEN_URL: setting({
    service: 'google',
    default: 'https://oauth2.googleapis.com/token',
    format: 'url',
    description: 'Google token endpoint',
  }),

  GITHUB_CLIENT_ID: setting({
    service: 'github',
    required: true,
    format: 'present',
    description: 'GitHub OAuth client id',
  }),
  GITHUB_CLIENT_SECRET: setting({
    service: 'github',
    required: true,
    secret: true,
    format: 'present',
    description: 'GitHub OAuth client secret',
  }),
  GITHUB_TOKEN_URL: setting({
    service: 'github',
    default: 'https://github.com/login/oauth/access_token',
    format: 'url',
    description: 'GitHub token endpoint',
  }),

  STRIPE_SECRET_KEY: setting({
    service: 'stripe',
    required: true,
    secret: true,
    format: 'stripe-secret-key',
    description: 'Stripe secret or restricted key',
  }),
  STRIPE_WEBHOOK_SECRET: setting({
    service: 'stripe',
    required: true,
    secret: true,
    format: 'stripe-webhook-secret',
    description: 'Stripe webhook signing secret',
  }),
  STRIPE_PUBLISHABLE_KEY: setting({
    service: 'stripe',
    tier: 'important',
    format: 'stripe-publishable-key',
    description: 'Stripe publishable key (server side)',
  }),
  NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: setting({
    service: 'stripe',
    tier: 'important',
    format: 'stripe-publishable-key',
    description: 'Stripe publishable key (browser)',
  }),
  STRIPE_API_URL: setting({
    service: 'stripe',
    default: 'https://api.stripe.com',
    format: 'url',
    description: 'Stripe API base URL',
  }),

  SMTP_HOST: setting({ service: 'smtp', required: true, format: 'hostname', description: 'SMTP server host' }),
  SMTP_PORT: setting({ service: 'smtp', default: '587', format: 'port', description: 'SMTP server port' }),
  SMTP_USER: setting({ service: 'smtp', format: 'present', description: 'SMTP login' }),
  SMTP_PASSWORD: setting({ service: 'smtp', secret: true, format: 'present', description: 'SMTP password' }),
  SMTP_FROM: setting({ service: 'smtp', format: 'email', description: 'Sender address for SMTP mail' }),

  RESEND_API_KEY: setting({
    service: 'resend',
    required: true,
    secret: true,
    format: 'resend-key',
    description: 'Resend API key',
  }),
  RESEND_API_URL: setting({
    service: 'resend',
    default: 'https://api.resend.com',
    format: 'url',
    description: 'Resend API base URL',
  }),

  NEXT_PUBLIC_APP_URL: setting({
    service: 'app',
    required: true,
    format: 'url',
    description: "The app's public origin; https in production",
  }),
  APP_URL: setting({ service: 'app', format: 'url', description: 'App URL; https in production' }),
  API_URL: setting({ service: 'app', format: 'url', description: 'API URL; https in production' }),
  FRONTEND_URL: setting({ service: 'app', format: 'url', description: 'Front-end URL; https in production' }),
  BACKEND_URL: setting({ service: 'app', format: 'url', description: 'Back-end URL; https in production' }),
  NODE_ENV: setting({
    service: 'app',
    required: true,
    format: 'node-env',
    description: 'development, staging or production',
  }),
  PORT: setting({ service: 'app', default: '3000', format: 'port', description: "The platform app's port" }),

  RATE_LIMIT_ENABLED: setting({
    service: 'rate-limit',
    default: 'true',
    format: 'boolean',
    description: 'Rate limiting on; needs the Upstash settings',
  }),

  SENTRY_DSN: setting({ service: 'sentry', required: true, format: 'sentry-dsn', description: 'Sentry DSN' }),
  SENTRY_AUTH_TOKEN: setting({
    service: 'sentry',
    secret: true,
    format: 'present',
    description: 'Sentry auth token (release uploads)',
  }),
  SENTRY_CHECK_INGEST: setting({
    service: 'sentry',
    default: 'false',
    format: 'boolean',
    description: 'Also prove that the DSN ingest host answers',
  }),

  LOGROCKET_APP_ID: setting({
    service: 'logrocket',
    required: true,
    format: 'logrocket-app-id',
    description: 'LogRocket app id org/app (format only)',
  }),

  DATADOG_API_KEY: setting({
    service: 'datadog',
    required: true,
    secret: true,
    format: 'datadog-api-key',
    description: 'Datadog API key',
  }),
  DATADOG_SITE: setting({
    service: 'datadog',
    default: 'datadoghq.com',
    format: 'hostname',
    description: 'Datadog site',
  }),
  DATADOG_API_URL: setting({
    service: 'datadog',
    format: 'url',
    description: 'Datadog API base URL; default https://api.<DATADOG_SITE>',
  }),
})

export type Settings = Static<typeof PlatformSettings>
export type SettingName = keyof Settings

// The settings' own disclosure levels; the routes turn them into what a caller is shown.
export const disclosureLevels = ['always', 'authorized', 'never'] as const
export type DisclosureLevel = (typeof disclosureLevels)[number]

// a bearer token shorter than this is guessable
export const MIN_TOKEN_LENGTH = 16
// what an Authorization: Bearer header can carry (RFC 6750 b64token)
export const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

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

// A webhook URL the notifier can POST to, or undefined: slack+https:// asks for Slack's body at any host.
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
  HEALTH_AUTH_TOKENS: Type.String({
    default: '',
    description: `Comma-separated bearer tokens that see the details (several, to rotate one without downtime), each at least ${MIN_TOKEN_LENGTH} characters; a secret. With HEALTH_DETAILS=authorized and none set, nobody sees the details`,
  }),
})

export type HealthOptions = Static<typeof HealthSettings>

// The service's own settings whose values are secrets (tokens, and webhook URLs that carry one).
export const secretHealthSettings: ReadonlySet<keyof HealthOptions> = new Set([
  'HEALTH_AUTH_TOKENS',
  'HEALTH_NOTIFY_URLS',
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

export const settingNames = Object.keys(PlatformSettings.properties) as SettingName[]

// A setting's meta alone: TypeBox types its own keys (default, ...) as any, which would hide the meta's types.
export function settingMeta(name: SettingName): Readonly<SettingMeta> {
  return PlatformSettings.properties[name] as unknown as SettingMeta
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
    if (t.length < MIN_TOKEN_LENGTH)
      lines.push(
        `${which} has ${t.length} characters, expected at least ${MIN_TOKEN_LENGTH} (generate one with \`openssl rand -hex 32\`)`,
      )
    else if (!BEARER_TOKEN.test(t))
      lines.push(`${which} has a character a bearer token cannot carry (letters, digits and -._~+/ only)`)
  })
  const damping = parseDamping(typeof raw.HEALTH_DAMPING === 'string' ? raw.HEALTH_DAMPING : '')
  if (Array.isArray(damping)) lines.push(...damping.map((p) => `HEALTH_DAMPING: ${p}`))
  // the position of each URL, never the URL: it carries a token and the message is printed at start
  const hooks = notifyUrls(typeof raw.HEALTH_NOTIFY_URLS === 'string' ? raw.HEALTH_NOTIFY_URLS : '')
  hooks.forEach((u, i) => {
    if (!webhookUrl(u))
      lines.push(`HEALTH_NOTIFY_URLS: URL ${i + 1} of ${hooks.length} is not an http, https or slack+https URL`)
  })
  const publicUrl = typeof raw.HEALTH_PUBLIC_URL === 'string' ? raw.HEALTH_PUBLIC_URL : ''
  if (publicUrl !== '' && !/^https?:$/.test(parsedUrl(publicUrl)?.protocol ?? ''))
    lines.push('HEALTH_PUBLIC_URL: expected an http or https URL, such as https://health.example.com')
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
  const secrets: string[] = [...authTokens(health.HEALTH_AUTH_TOKENS), ...webhookSecrets(health.HEALTH_NOTIFY_URLS)]
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

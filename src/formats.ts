import { isIP } from 'node:net'

// Format rules of the catalogue (docs/services.md). Each returns null when the value is fine, otherwise what is wrong with it,
// phrased so that it never echoes the value (many of these values are secrets).

export type FormatRule = (value: string) => string | null

function parseUrl(value: string): URL | null {
  try {
    return new URL(value)
  } catch {
    return null
  }
}

function urlWith(protocols: string[], what: string): FormatRule {
  return (value) => {
    const url = parseUrl(value)
    if (!url) return `expected ${what}, got something that is not a URL`
    if (!protocols.includes(url.protocol)) {
      return `expected ${what}, got a ${url.protocol.replace(':', '')}:// URL`
    }
    if (!url.hostname) return `expected ${what} with a host name`
    return null
  }
}

function pattern(re: RegExp, expected: string): FormatRule {
  return (value) => (re.test(value) ? null : `expected ${expected}`)
}

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

const bucketName: FormatRule = (value) => {
  if (value.length < 3 || value.length > 63) return `expected a bucket name of 3 to 63 characters, got ${value.length}`
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(value)) {
    return 'expected a bucket name of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit'
  }
  if (value.includes('..')) return 'expected a bucket name without two adjacent dots'
  if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) return 'expected a bucket name that is not an IP address'
  const prefixes = ['xn--', 'sthree-', 'amzn-s3-demo-']
  const suffixes = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']
  if (prefixes.some((p) => value.startsWith(p)))
    return `expected a bucket name without a reserved prefix (${prefixes.join(', ')})`
  if (suffixes.some((p) => value.endsWith(p)))
    return `expected a bucket name without a reserved suffix (${suffixes.join(', ')})`
  return null
}

const sqsQueueUrls: FormatRule = (value) => {
  const urls = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (urls.length === 0) return 'expected a comma-separated list of SQS queue URLs'
  for (const [i, raw] of urls.entries()) {
    const url = parseUrl(raw)
    if (!url || !/^https?:$/.test(url.protocol)) return `expected queue URL #${i + 1} to be an http(s) URL`
    if (!/^\/\d{12}\/[A-Za-z0-9_-]{1,75}(\.fifo|[A-Za-z0-9_-]{0,5})$/.test(url.pathname)) {
      return `expected queue URL #${i + 1} to end in /<12-digit account id>/<queue name>`
    }
  }
  return null
}

const apiVersion: FormatRule = (value) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/.exec(value)
  if (!m) return 'expected an API version YYYY-MM-DD (optionally followed by -preview)'
  if (!isRealDate(Number(m[1]), Number(m[2]), Number(m[3])))
    return 'expected an API version that is a real calendar date'
  return null
}

const base64Key32: FormatRule = (value) => {
  if (value.length !== 44) return `expected 44 characters of base64 (32 bytes), got ${value.length} characters`
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value)) return 'expected standard base64 (A-Z a-z 0-9 + /) ending in one ='
  if (Buffer.from(value, 'base64').length !== 32) return 'expected base64 that decodes to 32 bytes'
  return null
}

const minLength =
  (n: number): FormatRule =>
  (value) =>
    value.length >= n ? null : `expected at least ${n} characters, got ${value.length}`

const port: FormatRule = (value) => {
  if (!/^\d+$/.test(value)) return 'expected a port number from 1 to 65535'
  const n = Number(value)
  return n >= 1 && n <= 65535 ? null : 'expected a port number from 1 to 65535'
}

const sentryDsn: FormatRule = (value) => {
  const url = parseUrl(value)
  if (!url || !/^https?:$/.test(url.protocol)) return 'expected a DSN URL like https://<public key>@<host>/<project id>'
  if (!url.username) return 'expected a DSN with a public key before the @'
  if (!/^\/(?:.*\/)?\d+$/.test(url.pathname)) return 'expected a DSN ending in a numeric project id'
  return null
}

const emailAddress =
  /^[^\s@<>()",;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/
const email: FormatRule = (value) => {
  const named = /^[^<>]*<([^<>]+)>$/.exec(value.trim())
  const address = named ? named[1] : value
  return emailAddress.test(address)
    ? null
    : 'expected an email address like name@example.com or "Name <name@example.com>"'
}

export const formats = {
  'postgres-url': urlWith(['postgres:', 'postgresql:'], 'a postgres:// or postgresql:// URL'),
  'redis-url': urlWith(['redis:', 'rediss:'], 'a redis:// or rediss:// URL'),
  'https-url': urlWith(['https:'], 'an https:// URL'),
  url: urlWith(['http:', 'https:'], 'an http:// or https:// URL'),
  present: (value: string) => (value.trim() === '' ? 'expected a value' : null),
  'aws-region': pattern(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'an AWS region like eu-west-1'),
  'aws-access-key-id': pattern(
    /^(AKIA|ASIA)[A-Z0-9]{12,124}$/,
    'an access key id of 16 to 128 characters starting with AKIA or ASIA',
  ),
  email,
  's3-bucket': bucketName,
  'sqs-queue-urls': sqsQueueUrls,
  'event-bus': pattern(
    /^(arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/)?[A-Za-z0-9._\-/]{1,256}$/,
    'an event bus name or ARN',
  ),
  'azure-openai-key': (value: string) =>
    value.length === 64 ? null : `expected exactly 64 characters, got ${value.length}`,
  'azure-openai-endpoint': pattern(
    /^https:\/\/[a-z0-9][a-z0-9-]{0,62}\.openai\.azure\.com\/?$/,
    'an endpoint https://<resource name>.openai.azure.com',
  ),
  'api-version': apiVersion,
  'azure-deployment': pattern(
    /^[A-Za-z0-9._-]{1,64}$/,
    'a deployment name of letters, digits, dots, hyphens or underscores',
  ),
  'openai-key': pattern(/^sk-\S+$/, 'a key starting with sk-'),
  'secret-32': minLength(32),
  'base64-32': base64Key32,
  numeric: pattern(/^\d+$/, 'digits only'),
  'user-agent': pattern(
    /^[^\s:]+:[^\s:]+:[^\s]+ \(by \/?u\/[A-Za-z0-9_-]{3,20}\)$/,
    'a descriptive user agent <platform>:<app id>:<version> (by /u/<username>)',
  ),
  'google-client-id': pattern(
    /^[A-Za-z0-9-]+\.apps\.googleusercontent\.com$/,
    'a client id ending in .apps.googleusercontent.com',
  ),
  'stripe-secret-key': pattern(
    /^(sk|rk)_(live|test)_[A-Za-z0-9]+$/,
    'a secret key starting with sk_live_, sk_test_, rk_live_ or rk_test_',
  ),
  'stripe-webhook-secret': pattern(/^whsec_[A-Za-z0-9+/=]+$/, 'a webhook signing secret starting with whsec_'),
  'stripe-publishable-key': pattern(
    /^pk_(live|test)_[A-Za-z0-9]+$/,
    'a publishable key starting with pk_live_ or pk_test_',
  ),
  port,
  'node-env': pattern(/^(development|staging|production)$/, 'one of development, staging, production'),
  boolean: pattern(/^(true|false|1|0|yes|no|on|off)$/i, 'a boolean: true or false'),
  'resend-key': pattern(/^re_\S+$/, 'a key starting with re_'),
  'sentry-dsn': sentryDsn,
  'logrocket-app-id': pattern(/^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/, 'an app id of the form org/app'),
  'datadog-api-key': pattern(/^[0-9a-f]{32}$/, '32 lowercase hexadecimal characters'),
  'iso-date-time': (value: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value))
      ? null
      : 'expected an ISO 8601 date and time with a time zone, like 2026-11-24T10:00:00Z',
  hostname: (value: string) =>
    isIP(value) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(value)
      ? null
      : 'expected a host name or IP address',
} satisfies Record<string, FormatRule>

export type FormatName = keyof typeof formats

export function parseBoolean(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback
  return /^(true|1|yes|on)$/i.test(value.trim())
}

export function isHttps(value: string): boolean {
  return parseUrl(value)?.protocol === 'https:'
}

function schemeIn(protocols: string[]): (value: string) => boolean {
  return (value) => {
    const url = parseUrl(value)
    return url !== null && protocols.includes(url.protocol)
  }
}

// The format rules whose breach leaves nothing a client can use (another scheme is read as a socket path, a port
// that is not a number): such a value is never handed to a client. Other breaches (a key of an unexpected shape,
// http where https is expected) are left to the live check, the authority on whether the provider accepts them.
const usable: Partial<Record<FormatName, (value: string) => boolean>> = {
  'postgres-url': schemeIn(['postgres:', 'postgresql:']),
  'redis-url': schemeIn(['redis:', 'rediss:']),
  url: schemeIn(['http:', 'https:']),
  'https-url': schemeIn(['http:', 'https:']),
  port: (value) => formats.port(value) === null,
  hostname: (value) => formats.hostname(value) === null,
}

export function unusable(format: FormatName, value: string): boolean {
  const rule = usable[format]
  return rule !== undefined && !rule(value)
}

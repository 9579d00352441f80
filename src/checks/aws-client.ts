import type { NodeHttpHandler } from '@smithy/node-http-handler'
import type { Config, Finding, SettingName, Settings } from '../config.js'
import { formats } from '../formats.js'
import { retryAfterMs } from './lib/http.js'
import { Reason, type ReasonCode } from '../reasons.js'
import { CheckError, type CheckContext, type Measurement, type Observation, type Scalar } from './types.js'

export type AwsService = 'STS' | 'SESV2' | 'S3' | 'EVENTBRIDGE' | 'SQS' | 'CLOUDWATCH'

const serviceLabels: Record<AwsService, string> = {
  STS: 'STS',
  SESV2: 'SES',
  S3: 'S3',
  EVENTBRIDGE: 'EventBridge',
  SQS: 'SQS',
  CLOUDWATCH: 'CloudWatch',
}

export interface SdkLogger {
  trace(...args: unknown[]): void
  debug(...args: unknown[]): void
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
}

export interface StaticCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  // from AWS_CREDENTIAL_EXPIRATION: lets the SDK and the aws check know when a session token lapses
  expiration?: Date
}

// What every AWS SDK v3 client constructor accepts, built from the Config alone.
export interface AwsClientOptions {
  region: string
  credentials?: StaticCredentials
  endpoint?: string
  forcePathStyle?: boolean
  maxAttempts: number
  requestHandler: NodeHttpHandler
  logger: SdkLogger
}

export interface AwsSetup {
  service: AwsService
  label: string
  region: string
  partition: string
  endpoint?: { url: string; setting: SettingName }
  // static keys from the settings, or the SDK's default provider chain (IAM role, profile, web identity)
  credentialsFrom: 'settings' | 'provider chain'
  options: AwsClientOptions
}

export function endpointSettingOf(service: AwsService): SettingName {
  return `AWS_ENDPOINT_URL_${service}` as SettingName
}

// The SDK's own convention: the service-specific variable wins over AWS_ENDPOINT_URL.
export function endpointOf(settings: Readonly<Settings>, service: AwsService): { url: string; setting: SettingName } | undefined {
  const specific = endpointSettingOf(service)
  const value = settings[specific]
  if (value) return { url: value, setting: specific }
  if (settings.AWS_ENDPOINT_URL) return { url: settings.AWS_ENDPOINT_URL, setting: 'AWS_ENDPOINT_URL' }
  return undefined
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

// The expiry of static session credentials; a malformed value is a finding and is not used.
export function staticExpiration(settings: Readonly<Settings>): Date | undefined {
  const raw = settings.AWS_CREDENTIAL_EXPIRATION
  if (!raw || !settings.AWS_SESSION_TOKEN || !settings.AWS_ACCESS_KEY_ID || !settings.AWS_SECRET_ACCESS_KEY) return undefined
  return formats['iso-date-time'](raw) === null ? new Date(raw) : undefined
}

// Half a key pair cannot sign anything, and silently falling back to the provider chain would hide the mistake.
export function credentialProblem(settings: Readonly<Settings>): string | undefined {
  const id = Boolean(settings.AWS_ACCESS_KEY_ID)
  const secret = Boolean(settings.AWS_SECRET_ACCESS_KEY)
  if (id && !secret) return 'AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY: set both, or neither to use the IAM role (default provider chain)'
  if (secret && !id) return 'AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID: set both, or neither to use the IAM role (default provider chain)'
  return undefined
}

export function credentialFindings(config: Config): Finding[] {
  const s = config.settings
  const findings: Finding[] = []
  const problem = credentialProblem(s)
  if (problem) {
    findings.push({ setting: s.AWS_ACCESS_KEY_ID ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID', problem: 'missing', message: problem, severity: 'fail' })
  }
  if (s.AWS_SESSION_TOKEN && !s.AWS_ACCESS_KEY_ID && !s.AWS_SECRET_ACCESS_KEY) {
    findings.push({ setting: 'AWS_SESSION_TOKEN', problem: 'invalid', message: 'AWS_SESSION_TOKEN is set without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, so it is ignored', severity: 'warn' })
  }
  if (s.AWS_ACCESS_KEY_ID?.startsWith('ASIA') && !s.AWS_SESSION_TOKEN) {
    findings.push({ setting: 'AWS_SESSION_TOKEN', problem: 'missing', message: 'AWS_ACCESS_KEY_ID is a temporary key id, which needs AWS_SESSION_TOKEN: set it, or use long-term keys or an IAM role', severity: 'fail' })
  }
  if (s.AWS_CREDENTIAL_EXPIRATION && !s.AWS_SESSION_TOKEN) {
    findings.push({
      setting: 'AWS_CREDENTIAL_EXPIRATION',
      problem: 'invalid',
      message: 'AWS_CREDENTIAL_EXPIRATION is set without AWS_SESSION_TOKEN, so it is ignored: only session credentials expire; remove it, or set the session token it belongs to',
      severity: 'warn',
    })
  }
  if (config.production && s.AWS_SESSION_TOKEN) {
    findings.push({
      setting: 'AWS_SESSION_TOKEN',
      problem: 'invalid',
      message: 'AWS_SESSION_TOKEN is set in production: temporary credentials expire and nothing renews them; attach an IAM role instead',
      severity: 'warn',
    })
  }
  return findings
}

// What the SDK logs: a string as it is, an error by its message, anything else as JSON (not "[object Object]").
function describe(a: unknown): string {
  if (typeof a === 'string') return a
  if (a instanceof Error) return a.message
  try {
    return JSON.stringify(a) ?? String(a)
  } catch {
    return String(a)
  }
}

// SDK warnings (socket exhaustion, request timeouts) go to the app's log, scrubbed; its chatty info lines do not.
function sdkLogger(ctx: CheckContext, check: string): SdkLogger {
  const warn = (...args: unknown[]) => ctx.log.warn({ check, sdk: ctx.sanitize(args.map(describe).join(' ')) }, 'AWS SDK warning')
  const quiet = () => undefined
  // the SDK logs every failed command at error level: the check's own result (and its status-change line) says that
  return { trace: quiet, debug: quiet, info: quiet, warn, error: quiet }
}

export async function awsSetup(ctx: CheckContext, service: AwsService, check: string): Promise<AwsSetup> {
  const s = ctx.config.settings
  const problem = credentialProblem(s)
  if (problem) throw new CheckError(Reason.MISCONFIGURED, problem)
  const endpoint = endpointOf(s, service)
  if (endpoint && !URL.canParse(endpoint.url)) throw new CheckError(Reason.MISCONFIGURED, `${endpoint.setting} is not a URL`)
  const region = s.AWS_REGION!
  const { NodeHttpHandler } = await import('@smithy/node-http-handler')
  const logger = sdkLogger(ctx, check)
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: ctx.timeoutMs,
    requestTimeout: ctx.timeoutMs,
    throwOnRequestTimeout: true,
    logger,
  })
  const expiration = staticExpiration(s)
  const credentials: StaticCredentials | undefined =
    s.AWS_ACCESS_KEY_ID && s.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: s.AWS_ACCESS_KEY_ID,
          secretAccessKey: s.AWS_SECRET_ACCESS_KEY,
          ...(s.AWS_SESSION_TOKEN ? { sessionToken: s.AWS_SESSION_TOKEN } : {}),
          ...(expiration ? { expiration } : {}),
        }
      : undefined
  const options: AwsClientOptions = {
    region,
    ...(credentials ? { credentials } : {}),
    ...(endpoint ? { endpoint: endpoint.url } : {}),
    // emulators (MinIO, LocalStack, s3rver) serve buckets under the path, not as subdomains
    ...(service === 'S3' && endpoint ? { forcePathStyle: true } : {}),
    // one attempt: the runner's timeout covers the whole probe, and the next probe is the retry
    maxAttempts: 1,
    requestHandler,
    logger,
  }
  return {
    service,
    label: serviceLabels[service],
    region,
    partition: partitionOf(region),
    ...(endpoint ? { endpoint } : {}),
    credentialsFrom: credentials ? 'settings' : 'provider chain',
    options,
  }
}

export interface AwsCall {
  operation: string
  // the IAM action the call needs and the resource it is checked against
  permission: string
  resource: string
  // says what is missing and which setting names it, for NotFound answers
  notFound: string
  // for S3 wrong-region answers: what is elsewhere, and the other way to fix it
  wrongRegion?: { subject: string; alternative: string }
  // HEAD answers carry no error body, so a 403 cannot tell a missing permission from a rejected key
  headRequest?: boolean
}

interface SdkError {
  name?: string
  Code?: string
  message?: string
  Region?: string
  $metadata?: { httpStatusCode?: number }
  $response?: { headers?: Record<string, string | undefined> }
}

const invalidKey = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'InvalidToken', 'AuthFailure', 'MissingAuthenticationToken', 'MissingAuthenticationTokenException', 'IncompleteSignature', 'IncompleteSignatureException', 'NotAuthorized'])
const badSignature = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException'])
const expiredToken = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired'])
const clockSkew = new Set(['RequestExpired', 'RequestTimeTooSkewed', 'RequestInTheFuture', 'InvalidSignatureException.RequestExpired'])
const denied = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'Forbidden', 'NotAuthorizedException'])
const throttled = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequests', 'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException', 'BandwidthLimitExceeded', 'PriorRequestNotComplete'])
const notFound = new Set(['NoSuchBucket', 'NotFound', 'NotFoundException', 'ResourceNotFoundException', 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NonExistentQueue'])
const wrongRegion = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException'])

function awsSaid(e: SdkError): string {
  const m = (e.message ?? '').replace(/\s+/g, ' ').trim()
  if (!m || m === 'UnknownError' || m === 'Unknown') return ''
  return ` (AWS says: ${m.length > 240 ? `${m.slice(0, 240)}...` : m})`
}

// Names the setting or IAM permission to fix; socket and abort errors pass through for classify.ts to name.
export function awsFailure(err: unknown, setup: AwsSetup, call: AwsCall): unknown {
  if (!err || typeof err !== 'object' || err instanceof CheckError) return err
  const e = err as SdkError
  if (e.name === 'CredentialsProviderError') {
    return new CheckError(
      Reason.NOT_CONFIGURED,
      'no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set and the default provider chain found none (no IAM role, web identity or profile); set the keys or attach an IAM role',
    )
  }
  const status = e.$metadata?.httpStatusCode
  if (status === undefined) return err
  const names = [e.name, e.Code].filter((n): n is string => Boolean(n))
  const is = (set: Set<string>) => names.some((n) => set.has(n))
  // bodiless answers (HEAD) leave the SDK nothing but the status
  const named = [...new Set(names)].filter((n) => n !== 'Unknown' && n !== 'UnknownError' && n !== String(status))
  const code = named.length > 0 ? named.join('/') : `HTTP ${status}`
  const op = `${setup.label} ${call.operation}`
  const keys = setup.credentialsFrom === 'settings'
  const headers = e.$response?.headers

  const at = setup.endpoint ? ` at ${setup.endpoint.url} (${setup.endpoint.setting})` : ` in ${setup.region}`
  // an emulator or proxy that does not implement the operation answers in some other format
  if (e.name === 'SyntaxError' || /Deserialization error/.test(e.message ?? '')) {
    return new CheckError(Reason.BAD_RESPONSE, `${op}: the answer (HTTP ${status})${at} is not in the ${setup.label} wire format: does that endpoint implement ${call.operation}?`)
  }
  const bucketRegion = headers?.['x-amz-bucket-region'] ?? e.Region
  if (call.wrongRegion && (status === 301 || is(wrongRegion) || (status === 400 && bucketRegion))) {
    const where = bucketRegion ? `is in ${bucketRegion}` : 'is in another region'
    const { subject, alternative } = call.wrongRegion
    const fix = bucketRegion ? `set AWS_REGION=${bucketRegion}, or ${alternative}` : `find its region in the S3 console and set AWS_REGION to it, or ${alternative}`
    return new CheckError(Reason.WRONG_REGION, `${subject} ${where}, not in AWS_REGION ${setup.region}: ${fix}`)
  }
  if (is(expiredToken)) {
    return new CheckError(
      Reason.EXPIRED,
      keys
        ? `${op}: the credentials have expired (${code}): renew AWS_SESSION_TOKEN together with its key pair, or use an IAM role`
        : `${op}: the provider chain returned expired credentials (${code}): check the IAM role or profile that supplies them`,
    )
  }
  if (is(clockSkew)) {
    return new CheckError(Reason.AUTH_FAILED, `${op}: AWS rejected the request time (${code}): this host's clock is off; sync it with NTP`)
  }
  if (is(badSignature)) {
    return new CheckError(
      Reason.AUTH_FAILED,
      keys
        ? `${op}: the request signature does not match (${code}): AWS_SECRET_ACCESS_KEY is not the secret of AWS_ACCESS_KEY_ID`
        : `${op}: the request signature does not match (${code}): check the credentials the provider chain supplies`,
    )
  }
  if (is(invalidKey)) {
    return new CheckError(
      Reason.AUTH_FAILED,
      keys
        ? `${op}: AWS does not recognise the access key (${code}): check AWS_ACCESS_KEY_ID, and AWS_SESSION_TOKEN when the key is temporary`
        : `${op}: AWS does not recognise the credentials from the provider chain (${code}): check the IAM role or profile`,
    )
  }
  if (call.headRequest && status === 400 && named.every((n) => n === 'BadRequest')) {
    return new CheckError(Reason.AUTH_FAILED, `${op}: HTTP 400 with no body, which S3 sends for expired or malformed session credentials: /health/aws names the exact cause`)
  }
  if (is(denied) || status === 403) {
    const who = keys ? 'the IAM user or role of AWS_ACCESS_KEY_ID' : 'the IAM role'
    const unsure = call.headRequest ? '; a HEAD answer has no body, so rejected credentials look the same: /health/aws tells them apart' : ''
    return new CheckError(Reason.FORBIDDEN, `${op}: access denied (${code}): grant ${call.permission} on ${call.resource} to ${who}${awsSaid(e)}${unsure}`)
  }
  if (is(throttled) || status === 429) {
    // without Retry-After, the cache lifetime is the back-off
    const wait = headers?.['retry-after'] ? retryAfterMs(headers['retry-after']) : undefined
    return new CheckError(Reason.RATE_LIMITED, `${op}: throttled by ${setup.label} (${code}): the account's request rate for this API is exhausted; the check backs off`, wait !== undefined ? { retryAfterMs: wait } : {})
  }
  if (is(notFound) || status === 404) {
    return new CheckError(Reason.NOT_FOUND, `${call.notFound}${awsSaid(e)}`)
  }
  if (status >= 500) {
    return new CheckError(Reason.UPSTREAM_ERROR, `${op}: ${setup.label}${at} answered HTTP ${status}${named.length > 0 ? ` (${code})` : ''}: an error on the AWS side; retry later and check the AWS Health Dashboard`)
  }
  return new CheckError(Reason.BAD_RESPONSE, `${op}: unexpected answer HTTP ${status}${named.length > 0 ? ` (${code})` : ''}${at}${awsSaid(e)}`)
}

export type Level = 'pass' | 'warn' | 'fail'

const levelRank: Record<Level, number> = { pass: 0, warn: 1, fail: 2 }

// Several things can be wrong at once (SES disabled and over quota): the worst decides, every message is kept.
export class Verdict {
  private status: Level = 'pass'
  private reason: ReasonCode | undefined
  private readonly problems: string[] = []
  private readonly notes: string[] = []

  add(level: Level, reason: ReasonCode | undefined, message: string): void {
    if (level === 'pass') {
      this.notes.push(message)
      return
    }
    if (levelRank[level] > levelRank[this.status]) {
      this.status = level
      this.reason = reason
    }
    this.problems.push(message)
  }

  observation(details: Record<string, Scalar>, measurements: Measurement[] = []): Observation {
    const messages = [...this.problems, ...this.notes]
    return {
      status: this.status,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(messages.length > 0 ? { output: messages.join('; ') } : {}),
      details,
      measurements,
    }
  }
}

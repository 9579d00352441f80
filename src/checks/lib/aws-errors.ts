import { Reason } from '../../reasons.js'
import { CheckError } from '../types.js'
import type { AwsSetup } from './aws-setup.js'
import { retryAfterMs } from './http.js'
import { quote } from './quote.js'

export interface AwsCall {
  operation: string
  // the IAM action the call needs and the resource it is checked against
  permission: string
  resource: string
  // says what is missing and which setting names it, for NotFound answers; by default, the region or endpoint
  notFound?: string
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

const invalidKey = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'InvalidToken',
  'AuthFailure',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'NotAuthorized',
])
const badSignature = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException'])
const expiredToken = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired'])
const clockSkew = new Set([
  'RequestExpired',
  'RequestTimeTooSkewed',
  'RequestInTheFuture',
  'InvalidSignatureException.RequestExpired',
])
const denied = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'Forbidden',
  'NotAuthorizedException',
])
const throttled = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
])
const notFound = new Set([
  'NoSuchBucket',
  'NotFound',
  'NotFoundException',
  'ResourceNotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NonExistentQueue',
])
const wrongRegion = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException'])

function awsSaid(e: SdkError): string {
  const m = (e.message ?? '').replace(/\s+/g, ' ').trim()
  if (!m || m === 'UnknownError' || m === 'Unknown') return ''
  return ` (AWS says: ${quote(m, 240)})`
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
    return new CheckError(
      Reason.BAD_RESPONSE,
      `${op}: the answer (HTTP ${status})${at} is not in the ${setup.label} wire format: does that endpoint implement ${call.operation}?`,
    )
  }
  const bucketRegion = headers?.['x-amz-bucket-region'] ?? e.Region
  if (call.wrongRegion && (status === 301 || is(wrongRegion) || (status === 400 && bucketRegion))) {
    const where = bucketRegion ? `is in ${bucketRegion}` : 'is in another region'
    const { subject, alternative } = call.wrongRegion
    const fix = bucketRegion
      ? `set AWS_REGION=${bucketRegion}, or ${alternative}`
      : `find its region in the S3 console and set AWS_REGION to it, or ${alternative}`
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
    return new CheckError(
      Reason.AUTH_FAILED,
      `${op}: AWS rejected the request time (${code}): this host's clock is off; sync it with NTP`,
    )
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
    return new CheckError(
      Reason.AUTH_FAILED,
      `${op}: HTTP 400 with no body, which S3 sends for expired or malformed session credentials: /health/aws names the exact cause`,
    )
  }
  if (is(denied) || status === 403) {
    const who = keys ? 'the IAM user or role of AWS_ACCESS_KEY_ID' : 'the IAM role'
    const unsure = call.headRequest
      ? '; a HEAD answer has no body, so rejected credentials look the same: /health/aws tells them apart'
      : ''
    return new CheckError(
      Reason.FORBIDDEN,
      `${op}: access denied (${code}): grant ${call.permission} on ${call.resource} to ${who}${awsSaid(e)}${unsure}`,
    )
  }
  if (is(throttled) || status === 429) {
    // without Retry-After, the cache lifetime is the back-off
    const wait = headers?.['retry-after'] ? retryAfterMs(headers['retry-after']) : undefined
    return new CheckError(
      Reason.RATE_LIMITED,
      `${op}: throttled by ${setup.label} (${code}): the account's request rate for this API is exhausted; the check backs off`,
      wait !== undefined ? { retryAfterMs: wait } : {},
    )
  }
  if (is(notFound) || status === 404) {
    const missing =
      call.notFound ??
      `${op} answered not found in ${setup.region}: check AWS_REGION${setup.endpoint ? ` and ${setup.endpoint.setting}` : ''}`
    return new CheckError(Reason.NOT_FOUND, `${missing}${awsSaid(e)}`)
  }
  if (status >= 500) {
    return new CheckError(
      Reason.UPSTREAM_ERROR,
      `${op}: ${setup.label}${at} answered HTTP ${status}${named.length > 0 ? ` (${code})` : ''}: an error on the AWS side; retry later and check the AWS Health Dashboard`,
    )
  }
  return new CheckError(
    Reason.BAD_RESPONSE,
    `${op}: unexpected answer HTTP ${status}${named.length > 0 ? ` (${code})` : ''}${at}${awsSaid(e)}`,
  )
}

// One SDK call: its failure names the setting or IAM permission to fix, as awsFailure maps it.
export async function awsCall<T>(setup: AwsSetup, call: AwsCall, send: () => Promise<T>): Promise<T> {
  try {
    return await send()
  } catch (err) {
    throw awsFailure(err, setup, call)
  }
}

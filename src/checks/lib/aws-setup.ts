import type * as CloudWatchSdk from '@aws-sdk/client-cloudwatch'
import type { NodeHttpHandler } from '@smithy/node-http-handler'
import type { SettingName, Settings } from '../../config.js'
import { Reason } from '../../reasons.js'
import { CheckError, type CheckContext } from '../types.js'
import { credentialProblem, staticExpiration } from './aws-credentials.js'
import { probeHttpHandler } from './aws-handler.js'
import { awsSdk } from './aws-sdk.js'

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
export function endpointOf(
  settings: Readonly<Settings>,
  service: AwsService,
): { url: string; setting: SettingName } | undefined {
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
  const warn = (...args: unknown[]) => ctx.log.warn({ check, sdk: args.map(describe).join(' ') }, 'AWS SDK warning')
  const quiet = () => undefined
  // the SDK logs every failed command at error level: the check's own result (and its status-change line) says that
  return { trace: quiet, debug: quiet, info: quiet, warn, error: quiet }
}

export async function awsSetup(ctx: CheckContext, service: AwsService, check: string): Promise<AwsSetup> {
  const s = ctx.config.settings
  const problem = credentialProblem(s)
  if (problem) throw new CheckError(Reason.MISCONFIGURED, problem)
  const endpoint = endpointOf(s, service)
  if (endpoint && !URL.canParse(endpoint.url))
    throw new CheckError(Reason.MISCONFIGURED, `${endpoint.setting} is not a URL`)
  // every AWS check requires AWS_REGION, so the engine starts none without it
  const region = s.AWS_REGION!
  const logger = sdkLogger(ctx, check)
  const requestHandler = probeHttpHandler({
    connectionTimeout: ctx.clientTimeoutMs,
    requestTimeout: ctx.clientTimeoutMs,
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

// One way to build a CloudWatch client, for the cloudwatch check and for the sqs check's message-age metric.
export async function cloudWatchClient(
  ctx: CheckContext,
  check: string,
): Promise<{ setup: AwsSetup; sdk: typeof CloudWatchSdk; client: CloudWatchSdk.CloudWatchClient }> {
  const setup = await awsSetup(ctx, 'CLOUDWATCH', check)
  const sdk = awsSdk.cloudWatch()
  return { setup, sdk, client: new sdk.CloudWatchClient(setup.options) }
}

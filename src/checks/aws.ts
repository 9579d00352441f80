import { systemClock } from '../engine/clock.js'
import { Reason } from '../reasons.js'
import { credentialFindings, credentialProblem } from './lib/aws-credentials.js'
import { awsCall } from './lib/aws-errors.js'
import { awsSdk } from './lib/aws-sdk.js'
import { awsSetup } from './lib/aws-setup.js'
import { AnswerShape } from './lib/aws-shape.js'
import { Verdict } from './lib/verdict.js'
import { CheckError, defineCheck, type Scalar } from './types.js'

// Credentials that only the environment or a static profile supply: nothing fetches new ones before they lapse.
const staticSources = new Set(['CREDENTIALS_ENV_VARS', 'CREDENTIALS_PROFILE', 'CREDENTIALS_CODE'])

interface ResolvedIdentity {
  sessionToken?: string
  expiration?: Date
  $source?: Record<string, unknown>
}

// Role, container and instance credentials carry an expiry that the SDK refreshes five minutes ahead.
function renewedBySdk(identity: ResolvedIdentity): boolean {
  const sources = Object.keys(identity.$source ?? {})
  return !(sources.length > 0 && sources.every((s) => staticSources.has(s)))
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`
  return `${Math.round(seconds / 360) / 10}h`
}

export default defineCheck({
  name: 'aws',
  tier: 'critical',
  componentType: 'system',
  live: true,
  scope: 'global',
  cache: 'infrastructure',
  description: 'The AWS credentials are accepted (STS GetCallerIdentity)',
  validate: credentialFindings,
  async start(ctx) {
    // the findings already say which half of the key pair is missing
    if (credentialProblem(ctx.config.settings))
      throw new CheckError(Reason.MISCONFIGURED, 'not probed: the AWS key pair is incomplete')
    const setup = await awsSetup(ctx, 'STS', 'aws')
    const { STSClient, GetCallerIdentityCommand } = awsSdk.sts()
    const client = new STSClient(setup.options)
    const warnS = ctx.config.health.HEALTH_AWS_EXPIRY_WARN_S
    const fromSettings = setup.credentialsFrom === 'settings'
    const renew = fromSettings
      ? 'AWS_SESSION_TOKEN and its key pair, and AWS_CREDENTIAL_EXPIRATION with them'
      : 'the source of the provider chain'
    const clock = ctx.clock ?? systemClock
    return {
      async run(signal) {
        const now = clock.now()
        const staticExpiry = setup.options.credentials?.expiration
        if (staticExpiry && staticExpiry.getTime() <= now) {
          // AWS_CREDENTIAL_EXPIRATION says the session is over: asking STS would only spend a call to hear it
          const expiresAt = staticExpiry.toISOString()
          const verdict = new Verdict()
          verdict.add(
            'fail',
            Reason.EXPIRED,
            `the credentials expired at ${expiresAt} (AWS_CREDENTIAL_EXPIRATION): renew ${renew}, or use an IAM role; STS was not called`,
          )
          return verdict.observation({
            accountId: null,
            arn: null,
            region: setup.region,
            credentials: setup.credentialsFrom,
            temporary: true,
            expiresAt,
            expiresInS: Math.floor((staticExpiry.getTime() - now) / 1000),
            renewedBySdk: false,
          })
        }
        const call = {
          operation: 'GetCallerIdentity',
          permission: 'sts:GetCallerIdentity',
          resource: '*',
          notFound: `STS GetCallerIdentity answered not found: check ${setup.endpoint?.setting ?? 'AWS_REGION'}`,
        }
        const answer = await awsCall(setup, call, () =>
          client.send(new GetCallerIdentityCommand({}), { abortSignal: signal }),
        )
        const shape = new AnswerShape(setup, 'GetCallerIdentity')
        const accountId = shape.string('Account', answer.Account)
        const arn = shape.string('Arn', answer.Arn)
        shape.verify()
        // resolved (and cached) by the send above; this reads what was signed with, never the keys themselves
        const identity = (await client.config.credentials()) as ResolvedIdentity
        const temporary = Boolean(identity.sessionToken)
        const details: Record<string, Scalar> = {
          accountId,
          arn,
          region: setup.region,
          credentials: setup.credentialsFrom,
          temporary,
        }
        const verdict = new Verdict()
        const who = `account ${accountId} as ${arn}`
        if (identity.expiration) {
          const leftS = Math.floor((identity.expiration.getTime() - clock.now()) / 1000)
          // keys from the settings are what they are: nothing in this process renews them
          const renewed = !fromSettings && renewedBySdk(identity)
          details.expiresAt = identity.expiration.toISOString()
          details.expiresInS = leftS
          details.renewedBySdk = renewed
          if (leftS <= 0) {
            verdict.add(
              'fail',
              Reason.EXPIRED,
              `the credentials expired at ${details.expiresAt}${fromSettings ? ' (AWS_CREDENTIAL_EXPIRATION)' : ''}: renew them (${renew})`,
            )
          } else if (renewed) {
            verdict.add(
              'pass',
              undefined,
              `${who}; temporary credentials, renewed by the SDK before they lapse (${duration(leftS)} left on these)`,
            )
          } else if (leftS < warnS) {
            verdict.add(
              'warn',
              Reason.EXPIRING,
              `the credentials expire in ${duration(leftS)} (at ${details.expiresAt}${fromSettings ? ', AWS_CREDENTIAL_EXPIRATION' : ''}) and nothing renews them: replace them before then (${renew}), or use an IAM role`,
            )
          } else {
            verdict.add('pass', undefined, `${who}; temporary credentials, expiring in ${duration(leftS)}`)
          }
        } else if (temporary) {
          verdict.add(
            'pass',
            undefined,
            `${who}; temporary credentials with no known expiry: they stop working when the session token expires${fromSettings ? '; set AWS_CREDENTIAL_EXPIRATION to be warned before then' : ''}`,
          )
        } else {
          verdict.add('pass', undefined, who)
        }
        return verdict.observation(details)
      },
      close: async () => client.destroy(),
    }
  },
})

import { Reason } from '../reasons.js'
import { awsCall } from './lib/aws-errors.js'
import { awsSdk } from './lib/aws-sdk.js'
import { awsSetup } from './lib/aws-setup.js'
import { AnswerShape } from './lib/aws-shape.js'
import { Verdict } from './lib/verdict.js'
import { CheckError, defineCheck, type Measurement, type Scalar } from './types.js'

interface IdentityState {
  identity: string
  exists: boolean
  verified: boolean
  status?: string
}

export default defineCheck({
  name: 'ses',
  tier: 'critical',
  componentType: 'system',
  live: true,
  scope: 'global',
  cache: 'infrastructure',
  description:
    'The SES account answers: sending enabled, production access, quota use; FROM_EMAIL is a verified identity',
  alsoReads: ['AWS_REGION', 'AWS_ENDPOINT_URL'],
  requires: ['AWS_REGION'],
  async start(ctx) {
    const setup = await awsSetup(ctx, 'SESV2', 'ses')
    const { SESv2Client, GetAccountCommand, GetEmailIdentityCommand } = awsSdk.sesv2()
    const client = new SESv2Client(setup.options)
    const { config } = ctx
    const quotaWarn = config.health.HEALTH_SES_QUOTA_WARN
    const identityArn = (id: string) => `arn:${setup.partition}:ses:${setup.region}:<account>:identity/${id}`

    async function lookup(identity: string, signal: AbortSignal): Promise<IdentityState> {
      const call = {
        operation: 'GetEmailIdentity',
        permission: 'ses:GetEmailIdentity',
        resource: identityArn(identity),
        notFound: `${identity} is not an SES identity`,
      }
      try {
        const out = await awsCall(setup, call, () =>
          client.send(new GetEmailIdentityCommand({ EmailIdentity: identity }), { abortSignal: signal }),
        )
        const shape = new AnswerShape(setup, 'GetEmailIdentity')
        const verified = shape.boolean('VerifiedForSendingStatus', out.VerifiedForSendingStatus)
        const status = shape.string('VerificationStatus', out.VerificationStatus)
        shape.verify()
        return { identity, exists: true, verified, status }
      } catch (err) {
        if (err instanceof CheckError && err.reason === Reason.NOT_FOUND)
          return { identity, exists: false, verified: false }
        throw err
      }
    }

    return {
      async run(signal) {
        const account = await awsCall(
          setup,
          { operation: 'GetAccount', permission: 'ses:GetAccount', resource: '*' },
          () => client.send(new GetAccountCommand({}), { abortSignal: signal }),
        )
        const shape = new AnswerShape(setup, 'GetAccount')
        const sendingEnabled = shape.boolean('SendingEnabled', account.SendingEnabled)
        const productionAccess = shape.boolean('ProductionAccessEnabled', account.ProductionAccessEnabled)
        const enforcement = shape.string('EnforcementStatus', account.EnforcementStatus)
        const max = shape.number('SendQuota.Max24HourSend', account.SendQuota?.Max24HourSend)
        const sent = shape.number('SendQuota.SentLast24Hours', account.SendQuota?.SentLast24Hours)
        const maxSendRate = shape.number('SendQuota.MaxSendRate', account.SendQuota?.MaxSendRate)
        shape.verify()
        const verdict = new Verdict()
        const details: Record<string, Scalar> = {
          region: setup.region,
          sendingEnabled,
          productionAccess,
          enforcementStatus: enforcement,
          max24HourSend: max,
          sentLast24Hours: sent,
          maxSendRate,
        }
        const measurements: Measurement[] = []

        if (!sendingEnabled) {
          verdict.add(
            'fail',
            Reason.DISABLED,
            `sending is disabled for this account in ${setup.region}: re-enable it (PutAccountSendingAttributes) once the cause is fixed`,
          )
        }
        if (enforcement === 'SHUTDOWN') {
          verdict.add(
            'fail',
            Reason.DISABLED,
            'AWS paused sending for this account (enforcement status SHUTDOWN): fix the bounce or complaint problem and ask AWS to resume it',
          )
        } else if (enforcement === 'PROBATION') {
          verdict.add(
            'warn',
            Reason.DEGRADED,
            'the account is under review (enforcement status PROBATION): bounce or complaint rates are too high; sending will be paused unless they fall',
          )
        } else if (enforcement !== 'HEALTHY') {
          verdict.add(
            'warn',
            Reason.DEGRADED,
            `unexpected enforcement status ${enforcement}: see the SES reputation dashboard`,
          )
        }
        if (!productionAccess) {
          if (config.production) {
            verdict.add(
              'warn',
              Reason.DISABLED,
              `the account is in the SES sandbox in ${setup.region}: it can only send to verified addresses; request production access`,
            )
          } else {
            verdict.add('pass', undefined, 'sandbox account (sends only to verified addresses)')
          }
        }

        // a negative maximum means unlimited
        if (max > 0) {
          const share = sent / max
          const over = share >= quotaWarn
          const output = `${sent} of ${max} sent in the last 24 hours`
          measurements.push({
            measurement: 'quotaUsed',
            observedValue: Math.round(share * 1000) / 10,
            observedUnit: 'percent',
            status: over ? 'warn' : 'pass',
            output,
          })
          if (over)
            verdict.add(
              'warn',
              Reason.DEGRADED,
              `${Math.round(share * 100)}% of the 24-hour sending quota is used (${output}; warning at ${Math.round(quotaWarn * 100)}%, HEALTH_SES_QUOTA_WARN): ask AWS for a higher quota`,
            )
        }

        const setting = config.settings.FROM_EMAIL
        if (setting && !config.findings.has('FROM_EMAIL')) {
          // FROM_EMAIL may be written "Name <address>"; SES identities are the bare address or its domain
          const from = /<([^<>]+)>\s*$/.exec(setting)?.[1] ?? setting
          const domain = from.slice(from.lastIndexOf('@') + 1)
          try {
            let state = await lookup(from, signal)
            if (!state.verified) {
              const byDomain = await lookup(domain, signal)
              if (byDomain.verified || (byDomain.exists && !state.exists)) state = byDomain
            }
            details.fromIdentity = state.identity
            details.fromIdentityVerified = state.verified
            if (!state.exists) {
              verdict.add(
                'warn',
                Reason.NOT_FOUND,
                `FROM_EMAIL ${from} cannot send: neither the address nor its domain ${domain} is an SES identity in ${setup.region}; verify one of them`,
              )
            } else if (!state.verified) {
              verdict.add(
                'warn',
                Reason.MISCONFIGURED,
                `FROM_EMAIL ${from} cannot send: SES identity ${state.identity} is not verified (status ${state.status}); finish its verification (DNS records or the confirmation email)`,
              )
            }
          } catch (err) {
            if (signal.aborted || !(err instanceof CheckError)) throw err
            // the account itself answered: an unreadable identity is a warning, not an SES outage
            verdict.add('warn', err.reason, `could not check the FROM_EMAIL identity: ${err.message}`)
          }
        }
        return verdict.observation(details, measurements)
      },
      close: async () => client.destroy(),
    }
  },
})

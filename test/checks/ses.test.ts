import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import sesLocalModule from 'aws-ses-v2-local'
import sesCheck from '../../src/checks/ses.js'
import { appWith } from '../support/helpers.js'
import { awsEnv, errors, leaks, startAwsFake, type Answer, type AwsRequest } from '../support/fakes/aws-wire.js'
import { assertShapeless, MARGIN_MS, probe } from '../support/probe.js'

const FROM = 'noreply@health-test.example.com'
const DOMAIN = 'health-test.example.com'

interface AccountShape {
  SendingEnabled: boolean
  ProductionAccessEnabled: boolean
  EnforcementStatus: string
  SendQuota: { Max24HourSend: number; MaxSendRate: number; SentLast24Hours: number }
}

const account = (over: Partial<AccountShape> = {}): AccountShape => ({
  SendingEnabled: true,
  ProductionAccessEnabled: true,
  EnforcementStatus: 'HEALTHY',
  SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 12500 },
  ...over,
})

const verified = { IdentityType: 'EMAIL_ADDRESS', VerifiedForSendingStatus: true, VerificationStatus: 'SUCCESS' }
const notFound: Answer = {
  error: { status: 404, code: 'NotFoundException', message: 'Email identity does not exist.' },
}

interface Routes {
  account?: () => Answer
  identities?: Record<string, Answer>
}

function router(routes: Routes) {
  return (req: AwsRequest): Answer => {
    if (req.operation === 'GET /v2/email/account') return routes.account?.() ?? { body: account() }
    const m = /^GET \/v2\/email\/identities\/(.+)$/.exec(req.operation)
    if (m) return routes.identities?.[decodeURIComponent(m[1])] ?? notFound
    return { error: { status: 404, code: 'UnknownOperationException' } }
  }
}

async function setup(t: Test, routes: Routes, extra: Record<string, string | undefined> = {}) {
  const fake = await startAwsFake('rest-json', router(routes))
  t.teardown(() => fake.close())
  const { app, logs } = await appWith(awsEnv('AWS_ENDPOINT_URL_SESV2', fake.url, { FROM_EMAIL: FROM, ...extra }), {
    checks: [sesCheck],
  })
  t.teardown(() => app.close())
  return { fake, app, logs }
}

t.test('a healthy production account with a verified sender passes and reports its quota use', async (t) => {
  const { fake, app, logs } = await setup(t, { identities: { [FROM]: { body: verified } } }, { NODE_ENV: 'production' })
  const r = await probe(app, 'ses')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.same(
    r.checks['ses:quotaUsed'].map((m) => [m.observedValue, m.observedUnit, m.status, m.output]),
    [[25, 'percent', 'pass', '12500 of 50000 sent in the last 24 hours']],
  )
  t.equal(r.entry.details?.fromIdentity, FROM)
  t.equal(r.entry.details?.fromIdentityVerified, true)
  t.equal(r.entry.details?.enforcementStatus, 'HEALTHY')
  t.same(
    fake.requests.map((q) => `${q.method} ${q.url}`),
    ['GET /v2/email/account', `GET /v2/email/identities/${encodeURIComponent(FROM)}`],
  )
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('FROM_EMAIL written "Name <address>" is looked up by its address', async (t) => {
  const { fake, app } = await setup(
    t,
    { identities: { [FROM]: { body: verified } } },
    { FROM_EMAIL: `Health Test <${FROM}>` },
  )
  const r = await probe(app, 'ses')
  t.equal(r.entry.status, 'pass')
  t.equal(fake.requests[1].url, `/v2/email/identities/${encodeURIComponent(FROM)}`)
})

t.test('sending disabled fails DISABLED', async (t) => {
  const { app } = await setup(t, {
    account: () => ({ body: account({ SendingEnabled: false }) }),
    identities: { [FROM]: { body: verified } },
  })
  const r = await probe(app, 'ses')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'DISABLED')
  t.match(r.entry.output, /sending is disabled for this account in eu-west-1/)
})

t.test('the sandbox is a warning in production and a note elsewhere', async (t) => {
  const sandbox = {
    account: () => ({
      body: account({
        ProductionAccessEnabled: false,
        SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 3 },
      }),
    }),
    identities: { [FROM]: { body: verified } },
  }
  const prod = await setup(t, sandbox, { NODE_ENV: 'production' })
  const p = await probe(prod.app, 'ses')
  t.equal(p.entry.status, 'warn')
  t.equal(p.entry.reason, 'DISABLED')
  t.match(p.entry.output, /SES sandbox .*request production access/)
  const dev = await setup(t, sandbox)
  const d = await probe(dev.app, 'ses')
  t.equal(d.entry.status, 'pass')
  t.match(d.entry.output, /sandbox account/)
})

t.test('enforcement PROBATION warns, SHUTDOWN fails', async (t) => {
  const probation = await setup(t, {
    account: () => ({ body: account({ EnforcementStatus: 'PROBATION' }) }),
    identities: { [FROM]: { body: verified } },
  })
  const p = await probe(probation.app, 'ses')
  t.equal(p.entry.status, 'warn')
  t.equal(p.entry.reason, 'DEGRADED')
  t.match(p.entry.output, /PROBATION/)
  const shutdown = await setup(t, {
    account: () => ({ body: account({ EnforcementStatus: 'SHUTDOWN' }) }),
    identities: { [FROM]: { body: verified } },
  })
  const s = await probe(shutdown.app, 'ses')
  t.equal(s.entry.status, 'fail')
  t.equal(s.entry.reason, 'DISABLED')
  t.match(s.entry.output, /AWS paused sending .*SHUTDOWN/)
})

t.test('quota use at HEALTH_SES_QUOTA_WARN is a DEGRADED warning', async (t) => {
  const { app } = await setup(
    t,
    {
      account: () => ({ body: account({ SendQuota: { Max24HourSend: 1000, MaxSendRate: 14, SentLast24Hours: 950 } }) }),
      identities: { [FROM]: { body: verified } },
    },
    { HEALTH_SES_QUOTA_WARN: '0.9' },
  )
  const r = await probe(app, 'ses')
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'DEGRADED')
  t.match(
    r.entry.output,
    '95% of the 24-hour sending quota is used (950 of 1000 sent in the last 24 hours; warning at 90%, HEALTH_SES_QUOTA_WARN)',
  )
  t.same(
    r.checks['ses:quotaUsed'].map((m) => [m.observedValue, m.status]),
    [[95, 'warn']],
  )
})

t.test('a verified domain covers FROM_EMAIL', async (t) => {
  const { app } = await setup(t, { identities: { [DOMAIN]: { body: { ...verified, IdentityType: 'DOMAIN' } } } })
  const r = await probe(app, 'ses')
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.details?.fromIdentity, DOMAIN)
})

t.test('FROM_EMAIL with no identity warns NOT_FOUND naming the address and its domain', async (t) => {
  const { app } = await setup(t, {})
  const r = await probe(app, 'ses')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'NOT_FOUND')
  t.match(
    r.entry.output,
    `FROM_EMAIL ${FROM} cannot send: neither the address nor its domain ${DOMAIN} is an SES identity in eu-west-1`,
  )
})

t.test('an unverified identity warns with its verification status', async (t) => {
  const { app } = await setup(t, {
    identities: {
      [FROM]: {
        body: { IdentityType: 'EMAIL_ADDRESS', VerifiedForSendingStatus: false, VerificationStatus: 'PENDING' },
      },
    },
  })
  const r = await probe(app, 'ses')
  t.equal(r.entry.status, 'warn')
  t.match(r.entry.output, `SES identity ${FROM} is not verified (status PENDING)`)
})

t.test('an identity that cannot be read is a warning naming ses:GetEmailIdentity', async (t) => {
  const { app } = await setup(t, { identities: { [FROM]: { error: errors.accessDenied('rest-json') } } })
  const r = await probe(app, 'ses')
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'FORBIDDEN')
  t.match(
    r.entry.output,
    `could not check the FROM_EMAIL identity: SES GetEmailIdentity: access denied (AccessDeniedException): grant ses:GetEmailIdentity on arn:aws:ses:eu-west-1:<account>:identity/${FROM}`,
  )
})

t.test('GetAccount denied fails FORBIDDEN naming ses:GetAccount', async (t) => {
  const { app, logs } = await setup(t, { account: () => ({ error: errors.accessDenied('rest-json') }) })
  const r = await probe(app, 'ses')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'FORBIDDEN')
  t.match(r.entry.output, 'grant ses:GetAccount on *')
  t.same(leaks(r.body, logs.text()), [])
})

t.test('throttling (TooManyRequestsException, 429) is a RATE_LIMITED warning', async (t) => {
  const { app } = await setup(t, {
    account: () => ({ error: { status: 429, code: 'TooManyRequestsException', message: 'Too many requests' } }),
  })
  const r = await probe(app, 'ses')
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'RATE_LIMITED')
})

t.test('expired credentials are EXPIRED; a 500 is UPSTREAM_ERROR', async (t) => {
  const expired = await setup(t, { account: () => ({ error: errors.expired('rest-json') }) })
  t.equal((await probe(expired.app, 'ses')).entry.reason, 'EXPIRED')
  const broken = await setup(t, { account: () => ({ error: errors.internal('rest-json') }) })
  t.equal((await probe(broken.app, 'ses')).entry.reason, 'UPSTREAM_ERROR')
})

t.test('a hanging endpoint times out within the limit and its socket is closed', async (t) => {
  const { fake, app, logs } = await setup(t, { account: () => 'hang' }, { HEALTH_TIMEOUT_MS: '500' })
  const r = await probe(app, 'ses')
  t.equal(r.entry.reason, 'TIMEOUT')
  t.ok(r.elapsedMs < 500 + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
  await fake.allSocketsClosed()
  t.equal(fake.openSockets(), 0)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('aws-ses-v2-local: GetAccount from the emulator is parsed; it has no GetEmailIdentity', async (t) => {
  // the emulator answers GetAccount with the account in its AWS_SES_ACCOUNT variable
  process.env.AWS_SES_ACCOUNT = JSON.stringify({
    ...account({ SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 50 } }),
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'TRANSACTIONAL',
      ReviewDetails: { CaseId: 'fake-case', Status: 'GRANTED' },
      UseCaseDescription: 'tests',
      WebsiteURL: 'https://health-test.example.com',
    },
    SuppressionAttributes: { SuppressedReasons: [] },
  })
  t.teardown(() => void delete process.env.AWS_SES_ACCOUNT)
  const server: Server = await sesLocalModule.default({ host: '127.0.0.1', port: 0 })
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as AddressInfo
  const { app, logs } = await appWith(
    awsEnv('AWS_ENDPOINT_URL_SESV2', `http://127.0.0.1:${port}`, { FROM_EMAIL: FROM }),
    { checks: [sesCheck] },
  )
  t.teardown(() => app.close())
  const r = await probe(app, 'ses')
  t.same(
    r.checks['ses:quotaUsed'].map((m) => [m.observedValue, m.output]),
    [[25, '50 of 200 sent in the last 24 hours']],
  )
  t.equal(r.entry.details?.sendingEnabled, true)
  t.equal(r.entry.details?.enforcementStatus, 'HEALTHY')
  t.equal(r.entry.status, 'warn', 'the identity lookup the emulator lacks is a warning, not an outage')
  t.equal(r.entry.reason, 'BAD_RESPONSE')
  t.match(
    r.entry.output,
    /could not check the FROM_EMAIL identity: .*is not in the SES wire format: does that endpoint implement GetEmailIdentity\?/,
  )
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a GetAccount answer without a field the verdict reads is BAD_RESPONSE, not a warning', async (t) => {
  const noEnforcement: Partial<AccountShape> = account()
  delete noEnforcement.EnforcementStatus
  const cases: [string, unknown, RegExp][] = [
    ['an empty object', {}, /lacks SendingEnabled \(true or false\), ProductionAccessEnabled .*SendQuota\.MaxSendRate/],
    ['no EnforcementStatus', noEnforcement, /lacks EnforcementStatus \(a string\):/],
    [
      'no SentLast24Hours',
      { ...account(), SendQuota: { Max24HourSend: 200, MaxSendRate: 1 } },
      /lacks SendQuota\.SentLast24Hours \(a number\):/,
    ],
  ]
  for (const [name, body, missing] of cases) {
    await t.test(name, async (t) => {
      const { app, logs } = await setup(t, { account: () => ({ body }), identities: { [FROM]: { body: verified } } })
      const r = await probe(app, 'ses')
      t.equal(r.httpStatus, 503)
      assertShapeless(t, r.entry, 'SES GetAccount', 'AWS_ENDPOINT_URL_SESV2', missing)
      t.same(leaks(r.body, logs.text()), [])
    })
  }
})

t.test('a GetEmailIdentity answer without its verification fields is a BAD_RESPONSE warning', async (t) => {
  const { app } = await setup(t, { identities: { [FROM]: { body: { IdentityType: 'EMAIL_ADDRESS' } } } })
  const r = await probe(app, 'ses')
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'BAD_RESPONSE')
  t.match(
    r.entry.output,
    /could not check the FROM_EMAIL identity: SES GetEmailIdentity: the answer at .* lacks VerifiedForSendingStatus \(true or false\), VerificationStatus \(a string\)/,
  )
})

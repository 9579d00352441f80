import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import awsCheck from '../../src/checks/aws.js'
import { appWith } from '../support/helpers.js'
import {
  ACCOUNT,
  awsEnv,
  errors,
  KEY_ID,
  leaks,
  REGION,
  SECRET,
  SESSION_TOKEN,
  startAwsFake,
  type Answer,
} from '../support/fakes/aws-wire.js'
import { assertShapeless, MARGIN_MS, probe } from '../support/probe.js'
import { ManualClock } from '../support/clock.js'

// The SDK provider chain reads this process's environment: nothing of the developer's own AWS setup may reach it.
const empty = mkdtempSync(join(tmpdir(), 'aws-chain-'))
t.teardown(() => rmSync(empty, { recursive: true, force: true }))
for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k]
process.env.AWS_EC2_METADATA_DISABLED = 'true'
process.env.AWS_CONFIG_FILE = join(empty, 'config')
process.env.AWS_SHARED_CREDENTIALS_FILE = join(empty, 'credentials')

const identityXml = `<Arn>arn:aws:iam::${ACCOUNT}:user/health-test</Arn><UserId>AIDAFAKEUSERIDFORTESTS</UserId><Account>${ACCOUNT}</Account>`

async function setup(t: Test, answer: () => Answer, extra: Record<string, string | undefined> = {}) {
  const fake = await startAwsFake('query', () => answer())
  t.teardown(() => fake.close())
  const { app, logs } = await appWith(awsEnv('AWS_ENDPOINT_URL_STS', fake.url, extra), { checks: [awsCheck] })
  t.teardown(() => app.close())
  return { fake, app, logs }
}

t.test('accepted credentials report the account and the principal, never the keys', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({ body: identityXml }))
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.details?.accountId, ACCOUNT)
  t.equal(r.entry.details?.arn, `arn:aws:iam::${ACCOUNT}:user/health-test`)
  t.equal(r.entry.details?.credentials, 'settings')
  t.equal(r.entry.details?.temporary, false)
  t.match(r.entry.output, /account 123456789012 as arn:aws:iam::123456789012:user\/health-test/)
  t.match(fake.requests[0].body, /Action=GetCallerIdentity/)
  t.match(
    String(fake.requests[0].headers.authorization),
    /Credential=AKIA\w+\/\d{8}\/eu-west-1\/sts\/aws4_request/,
    'signed with the static key, for the configured region',
  )
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('an unknown access key is AUTH_FAILED naming AWS_ACCESS_KEY_ID', async (t) => {
  const { app, logs } = await setup(t, () => ({
    error: {
      status: 403,
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    },
  }))
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'AUTH_FAILED')
  t.match(r.entry.output, /InvalidClientTokenId.*check AWS_ACCESS_KEY_ID/)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a wrong secret is AUTH_FAILED naming AWS_SECRET_ACCESS_KEY', async (t) => {
  const { app, logs } = await setup(t, () => ({
    error: {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    },
  }))
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'AUTH_FAILED')
  t.match(r.entry.output, /AWS_SECRET_ACCESS_KEY is not the secret of AWS_ACCESS_KEY_ID/)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('an expired session token is EXPIRED naming AWS_SESSION_TOKEN', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({ error: errors.expired('query') }), {
    AWS_SESSION_TOKEN: SESSION_TOKEN,
  })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'EXPIRED')
  t.match(r.entry.output, /renew AWS_SESSION_TOKEN/)
  t.equal(fake.requests[0].headers['x-amz-security-token'], SESSION_TOKEN, 'the token was sent to the fake')
  t.same(leaks(r.body, logs.text()), [])
})

t.test('temporary static credentials pass and say their expiry is unknown', async (t) => {
  const asia = 'ASIA' + KEY_ID.slice(4)
  const { app, logs } = await setup(t, () => ({ body: identityXml }), {
    AWS_ACCESS_KEY_ID: asia,
    AWS_SESSION_TOKEN: SESSION_TOKEN,
  })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.details?.temporary, true)
  t.match(
    r.entry.output,
    /temporary credentials with no known expiry.*set AWS_CREDENTIAL_EXPIRATION to be warned before then/,
  )
  t.notOk(r.entry.details?.expiresAt)
  t.same(leaks(r.body, logs.text()), [])
  t.notOk(r.body.includes(asia) || logs.text().includes(asia))
})

t.test('throttling is a warning that honours Retry-After', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({
    error: { ...errors.throttled('query'), headers: { 'retry-after': '30' } },
  }))
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'RATE_LIMITED')
  t.match(r.entry.output, /throttled by STS \(Throttling\)/)
  const again = await app.inject('/health/aws?fresh')
  t.equal(again.statusCode, 200)
  t.equal(fake.requests.length, 1, 'no second probe before Retry-After')
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a 500 is UPSTREAM_ERROR', async (t) => {
  const { app, logs } = await setup(t, () => ({ error: errors.internal('query') }))
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.reason, 'UPSTREAM_ERROR')
  t.match(r.entry.output, /answered HTTP 500 \(InternalFailure\)/)
  t.match(r.entry.output, /AWS_ENDPOINT_URL_STS/, 'names the endpoint override in use')
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a hanging endpoint times out within the limit and its socket is closed', async (t) => {
  const { fake, app, logs } = await setup(t, () => 'hang', { HEALTH_TIMEOUT_MS: '500' })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'TIMEOUT')
  t.match(r.entry.output, /no answer within 500ms/)
  t.ok(r.elapsedMs < 500 + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
  t.equal(fake.requests.length, 1)
  await fake.allSocketsClosed()
  t.equal(fake.openSockets(), 0)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a key id without its secret is a fail finding and nothing is sent', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({ body: identityXml }), { AWS_SECRET_ACCESS_KEY: undefined })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'fail')
  t.match(r.entry.output, /AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY/)
  t.ok(r.entry.findings?.some((f) => f.setting === 'AWS_SECRET_ACCESS_KEY' && f.severity === 'fail'))
  t.equal(fake.requests.length, 0)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a secret without its key id is a fail finding', async (t) => {
  const { fake, app } = await setup(t, () => ({ body: identityXml }), { AWS_ACCESS_KEY_ID: undefined })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'fail')
  t.match(r.entry.output, /AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID/)
  t.equal(fake.requests.length, 0)
})

t.test('a session token in production is a warning even when STS accepts it', async (t) => {
  const { app, logs } = await setup(t, () => ({ body: identityXml }), {
    NODE_ENV: 'production',
    AWS_SESSION_TOKEN: SESSION_TOKEN,
  })
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.match(r.entry.output, /AWS_SESSION_TOKEN is set in production.*IAM role/)
  t.equal(r.entry.details?.accountId, ACCOUNT)
  t.same(leaks(r.body, logs.text()), [])
})

// AWS_CREDENTIAL_EXPIRATION from now, in seconds
const expiresIn = (s: number) => new Date(Date.now() + s * 1000).toISOString()
const asiaKey = () => 'ASIA' + KEY_ID.slice(4)

t.test('AWS_CREDENTIAL_EXPIRATION hours ahead: a pass that reports the time left', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({ body: identityXml }), {
    AWS_ACCESS_KEY_ID: asiaKey(),
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_CREDENTIAL_EXPIRATION: expiresIn(3 * 3600),
  })
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.notOk(r.entry.reason)
  t.match(r.entry.output, /account 123456789012 as .*; temporary credentials, expiring in 3h/)
  t.equal(r.entry.details?.credentials, 'settings')
  t.equal(r.entry.details?.renewedBySdk, false)
  t.ok(Number(r.entry.details?.expiresInS) > 3 * 3600 - 100 && Number(r.entry.details?.expiresInS) <= 3 * 3600)
  t.equal(fake.requests.length, 1)
  t.equal(fake.requests[0].headers['x-amz-security-token'], SESSION_TOKEN)
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
  t.notOk(r.body.includes(asiaKey()) || logs.text().includes(asiaKey()))
})

t.test(
  'AWS_CREDENTIAL_EXPIRATION under HEALTH_AWS_EXPIRY_WARN_S warns EXPIRING: nothing renews static credentials',
  async (t) => {
    const { fake, app, logs } = await setup(t, () => ({ body: identityXml }), {
      AWS_ACCESS_KEY_ID: asiaKey(),
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_CREDENTIAL_EXPIRATION: expiresIn(600),
    })
    const r = await probe(app, 'aws')
    t.equal(r.httpStatus, 200)
    t.equal(r.entry.status, 'warn')
    t.equal(r.entry.reason, 'EXPIRING')
    t.match(
      r.entry.output,
      /^the credentials expire in 10m \(at \S+, AWS_CREDENTIAL_EXPIRATION\) and nothing renews them: replace them before then \(AWS_SESSION_TOKEN and its key pair, and AWS_CREDENTIAL_EXPIRATION with them\), or use an IAM role/,
    )
    t.ok(Number(r.entry.details?.expiresInS) > 500 && Number(r.entry.details?.expiresInS) <= 600)
    t.equal(r.entry.details?.renewedBySdk, false)
    t.equal(r.entry.details?.accountId, ACCOUNT, 'STS still proves the credentials')
    t.equal(fake.requests.length, 1)
    t.ok(r.elapsedMs < 2000 + MARGIN_MS)
    t.same(leaks(r.body, logs.text()), [])
  },
)

t.test('a lower HEALTH_AWS_EXPIRY_WARN_S lets the same credentials pass', async (t) => {
  const { app } = await setup(t, () => ({ body: identityXml }), {
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_CREDENTIAL_EXPIRATION: expiresIn(600),
    HEALTH_AWS_EXPIRY_WARN_S: '300',
  })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'pass')
  t.match(r.entry.output, /expiring in 10m/)
})

t.test('the expiry is judged by the engine’s clock, not the machine’s', async (t) => {
  const clock = new ManualClock()
  const at = new Date(clock.now() - 600_000).toISOString()
  const fake = await startAwsFake('query', () => ({ body: identityXml }))
  t.teardown(() => fake.close())
  const env = awsEnv('AWS_ENDPOINT_URL_STS', fake.url, {
    AWS_ACCESS_KEY_ID: asiaKey(),
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_CREDENTIAL_EXPIRATION: at,
  })
  const { app } = await appWith(env, { checks: [awsCheck], clock })
  t.teardown(() => app.close())
  const r = await probe(app, 'aws')
  t.equal(r.entry.reason, 'EXPIRED')
  t.equal(r.entry.details?.expiresInS, -600, 'ten minutes before the engine’s now')
  t.equal(fake.requests.length, 0)
})

t.test('AWS_CREDENTIAL_EXPIRATION in the past fails EXPIRED without calling STS', async (t) => {
  const at = expiresIn(-60)
  const { fake, app, logs } = await setup(t, () => ({ body: identityXml }), {
    AWS_ACCESS_KEY_ID: asiaKey(),
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_CREDENTIAL_EXPIRATION: at,
  })
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'EXPIRED')
  t.equal(
    r.entry.output,
    `the credentials expired at ${at} (AWS_CREDENTIAL_EXPIRATION): renew AWS_SESSION_TOKEN and its key pair, and AWS_CREDENTIAL_EXPIRATION with them, or use an IAM role; STS was not called`,
  )
  t.equal(r.entry.details?.expiresAt, at)
  t.ok(Number(r.entry.details?.expiresInS) <= -60)
  t.equal(r.entry.details?.accountId, null)
  t.equal(fake.requests.length, 0, 'the credentials are known to be dead: STS is not asked')
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('AWS_CREDENTIAL_EXPIRATION without a session token is ignored, with a warning', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({ body: identityXml }), {
    AWS_CREDENTIAL_EXPIRATION: expiresIn(-60),
  })
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'MISCONFIGURED')
  t.match(
    r.entry.output,
    /AWS_CREDENTIAL_EXPIRATION is set without AWS_SESSION_TOKEN, so it is ignored: only session credentials expire/,
  )
  t.ok(r.entry.findings?.some((f) => f.setting === 'AWS_CREDENTIAL_EXPIRATION' && f.severity === 'warn'))
  t.notOk(r.entry.details?.expiresAt)
  t.equal(r.entry.details?.accountId, ACCOUNT)
  t.equal(fake.requests.length, 1)
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a malformed AWS_CREDENTIAL_EXPIRATION is a warning finding and no expiry is assumed', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({ body: identityXml }), {
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_CREDENTIAL_EXPIRATION: 'next tuesday',
  })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'MISCONFIGURED')
  t.match(r.entry.output, /AWS_CREDENTIAL_EXPIRATION is malformed: expected an ISO 8601 date and time/)
  t.notMatch(r.entry.output, /tuesday/)
  t.notOk(r.entry.details?.expiresAt)
  t.equal(fake.requests.length, 1)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('an expiry in the future does not hide STS refusing the token', async (t) => {
  const { app, logs } = await setup(t, () => ({ error: errors.expired('query') }), {
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_CREDENTIAL_EXPIRATION: expiresIn(3600),
  })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'EXPIRED')
  t.match(r.entry.output, /the credentials have expired \(ExpiredToken\): renew AWS_SESSION_TOKEN/)
  t.same(leaks(r.body, logs.text()), [])
})

// No keys in the settings: the SDK provider chain supplies them, as an IAM role would; this process's environment stands in for the role.
function chainCredentials(expiresInS: number | undefined): void {
  process.env.AWS_ACCESS_KEY_ID = 'ASIA' + KEY_ID.slice(4)
  process.env.AWS_SECRET_ACCESS_KEY = SECRET
  process.env.AWS_SESSION_TOKEN = SESSION_TOKEN
  if (expiresInS === undefined) delete process.env.AWS_CREDENTIAL_EXPIRATION
  else process.env.AWS_CREDENTIAL_EXPIRATION = new Date(Date.now() + expiresInS * 1000).toISOString()
}

function noCredentials(): void {
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION'])
    delete process.env[k]
}

const roleIdentityXml = `<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/health-role/i-0fake</Arn><UserId>AROAFAKEROLEID:i-0fake</UserId><Account>${ACCOUNT}</Account>`

async function chainSetup(t: Test) {
  const fake = await startAwsFake('query', () => ({ body: roleIdentityXml }))
  t.teardown(() => fake.close())
  const { app, logs } = await appWith({ AWS_REGION: REGION, AWS_ENDPOINT_URL_STS: fake.url }, { checks: [awsCheck] })
  t.teardown(() => app.close())
  return { fake, app, logs }
}

const secretsOf = () => [process.env.AWS_ACCESS_KEY_ID ?? KEY_ID, SECRET, SESSION_TOKEN]

t.test('no credentials anywhere fails with what to set, without calling AWS', async (t) => {
  noCredentials()
  const { fake, app, logs } = await chainSetup(t)
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'NOT_CONFIGURED')
  t.match(
    r.entry.output,
    /no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set.*attach an IAM role/,
  )
  t.equal(fake.requests.length, 0)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('provider-chain credentials (the IAM role case) satisfy the check', async (t) => {
  chainCredentials(undefined)
  const { fake, app, logs } = await chainSetup(t)
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.details?.credentials, 'provider chain')
  t.equal(r.entry.details?.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/health-role/i-0fake`)
  t.equal(fake.requests[0].headers['x-amz-security-token'], SESSION_TOKEN)
  t.notOk(secretsOf().some((s) => r.body.includes(s) || logs.text().includes(s)))
})

t.test('credentials that lapse sooner than HEALTH_AWS_EXPIRY_WARN_S and are not renewed warn EXPIRING', async (t) => {
  chainCredentials(600)
  const { app, logs } = await chainSetup(t)
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'EXPIRING')
  t.match(r.entry.output, /the credentials expire in 10m .*nothing renews them/)
  t.ok(Number(r.entry.details?.expiresInS) > 500 && Number(r.entry.details?.expiresInS) <= 600)
  t.equal(r.entry.details?.renewedBySdk, false)
  t.notOk(secretsOf().some((s) => r.body.includes(s) || logs.text().includes(s)))
})

t.test('credentials with hours left pass and report the time left', async (t) => {
  chainCredentials(3 * 3600)
  const { app } = await chainSetup(t)
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'pass')
  t.match(r.entry.output, /expiring in 3h/)
  t.ok(Number(r.entry.details?.expiresInS) > 3 * 3600 - 100)
})

t.test('expired credentials fail EXPIRED', async (t) => {
  chainCredentials(-60)
  const { app, logs } = await chainSetup(t)
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'EXPIRED')
  t.match(r.entry.output, /the credentials expired at/)
  t.notOk(secretsOf().some((s) => r.body.includes(s) || logs.text().includes(s)))
})

t.test('an answer without the Account or the Arn is BAD_RESPONSE naming the endpoint and the field', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['an empty result', '', /lacks Account \(a string\), Arn \(a string\)/],
    ['no Account', `<Arn>arn:aws:iam::${ACCOUNT}:user/health-test</Arn>`, /lacks Account \(a string\):/],
  ]
  for (const [name, body, missing] of cases) {
    await t.test(name, async (t) => {
      const { app, logs } = await setup(t, () => ({ body }))
      const r = await probe(app, 'aws')
      t.equal(r.httpStatus, 503)
      assertShapeless(t, r.entry, 'STS GetCallerIdentity', 'AWS_ENDPOINT_URL_STS', missing)
      t.same(leaks(r.body, logs.text()), [])
    })
  }
})

import t, { type Test } from 'tap'
import awsCheck from '../src/checks/aws.js'
import { appWith } from './helpers.js'
import { ACCOUNT, awsEnv, errors, KEY_ID, leaks, probe, SESSION_TOKEN, startAwsFake, type Answer } from './fakes/aws-wire.js'

const identityXml = `<Arn>arn:aws:iam::${ACCOUNT}:user/health-test</Arn><UserId>AIDAFAKEUSERIDFORTESTS</UserId><Account>${ACCOUNT}</Account>`
const MARGIN_MS = 1500

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
  t.match(String(fake.requests[0].headers.authorization), /Credential=AKIA\w+\/\d{8}\/eu-west-1\/sts\/aws4_request/, 'signed with the static key, for the configured region')
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('an unknown access key is AUTH_FAILED naming AWS_ACCESS_KEY_ID', async (t) => {
  const { app, logs } = await setup(t, () => ({ error: { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' } }))
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'AUTH_FAILED')
  t.match(r.entry.output, /InvalidClientTokenId.*check AWS_ACCESS_KEY_ID/)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a wrong secret is AUTH_FAILED naming AWS_SECRET_ACCESS_KEY', async (t) => {
  const { app, logs } = await setup(t, () => ({ error: { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' } }))
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'AUTH_FAILED')
  t.match(r.entry.output, /AWS_SECRET_ACCESS_KEY is not the secret of AWS_ACCESS_KEY_ID/)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('an expired session token is EXPIRED naming AWS_SESSION_TOKEN', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({ error: errors.expired('query') }), { AWS_SESSION_TOKEN: SESSION_TOKEN })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'EXPIRED')
  t.match(r.entry.output, /renew AWS_SESSION_TOKEN/)
  t.equal(fake.requests[0].headers['x-amz-security-token'], SESSION_TOKEN, 'the token was sent to the fake')
  t.same(leaks(r.body, logs.text()), [])
})

t.test('temporary static credentials pass and say their expiry is unknown', async (t) => {
  const asia = 'ASIA' + KEY_ID.slice(4)
  const { app, logs } = await setup(t, () => ({ body: identityXml }), { AWS_ACCESS_KEY_ID: asia, AWS_SESSION_TOKEN: SESSION_TOKEN })
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.details?.temporary, true)
  t.match(r.entry.output, /temporary credentials with no known expiry/)
  t.same(leaks(r.body, logs.text()), [])
  t.notOk(r.body.includes(asia) || logs.text().includes(asia))
})

t.test('throttling is a warning that honours Retry-After', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({ error: { ...errors.throttled('query'), headers: { 'retry-after': '30' } } }))
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
  const { app, logs } = await setup(t, () => ({ body: identityXml }), { NODE_ENV: 'production', AWS_SESSION_TOKEN: SESSION_TOKEN })
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.match(r.entry.output, /AWS_SESSION_TOKEN is set in production.*IAM role/)
  t.equal(r.entry.details?.accountId, ACCOUNT)
  t.same(leaks(r.body, logs.text()), [])
})

import t, { type Test } from 'tap'
import stripe, { stripeRules } from '../../src/checks/stripe.js'
import { findingsOf, testConfig } from '../support/helpers.js'
import { startFake, type Fake } from '../support/fakes/http.js'
import { startStripeFake, type StripeMode } from '../support/fakes/stripe.js'
import { MARGIN_MS, probeCheck } from '../support/probe.js'
import { HANG_TIMEOUT_MS, TIMEOUT_MS } from '../support/provider-cases.js'
import { noSecrets, sentinel } from '../support/secrets.js'
import { ManualClock } from '../support/clock.js'
import type { Clock } from '../../src/engine/clock.js'

const testKey = sentinel('sk_test_FAKE')
const otherKey = sentinel('sk_test_FAKE')
const restrictedKey = sentinel('rk_test_FAKE')
// assembled here so that no live-looking key is ever written in the repository
const liveKey = sentinel(['sk', 'live', 'FAKE'].join('_'))
const webhook = sentinel('whsec_FAKE')
const secrets = [testKey, otherKey, restrictedKey, liveKey, webhook]

// the stripe check against a fake Stripe API, with a well-formed webhook secret unless env says otherwise
const probe = (t: Test, fake: Fake, env: Record<string, string>, opts: { clock?: Clock } = {}) =>
  probeCheck(
    t,
    stripe,
    {
      HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
      STRIPE_API_URL: fake.url,
      STRIPE_WEBHOOK_SECRET: webhook.value,
      ...env,
    },
    opts,
  )

async function fakeWith(t: Test, mode: StripeMode, key = testKey.value): Promise<Fake> {
  const fake = await startStripeFake(key, mode)
  t.teardown(() => fake.close())
  return fake
}

// the SDK is imported on first use; loading it here keeps that out of the timed probes
t.before(async () => {
  await import('stripe')
})

t.test('a valid secret key passes by reading the balance, in test mode', async (t) => {
  const fake = await fakeWith(t, 'ok')
  const p = await probe(t, fake, { STRIPE_SECRET_KEY: testKey.value })
  t.equal(p.res.statusCode, 200)
  t.equal(p.entry.status, 'pass')
  t.equal(p.entry.reason, undefined)
  t.equal(p.entry.output, 'STRIPE_SECRET_KEY accepted (test mode)')
  t.same(p.entry.details, { livemode: false, restrictedKey: false })
  t.ok(p.elapsedMs < TIMEOUT_MS + MARGIN_MS)
  t.equal(fake.requests.length, 1)
  t.equal(fake.requests[0].method, 'GET')
  t.match(fake.requests[0].url, /^\/v1\/balance/)
  t.equal(fake.requests[0].headers.authorization, `Bearer ${testKey.value}`)
  await p.poll()
  t.equal(fake.requests.length, 1, 'one request however often /health is polled')
  noSecrets(t, secrets, { 'the responses': p.bodies(), 'the logs': p.logs.text() })
})

t.test('a live key in production reports livemode', async (t) => {
  const fake = await fakeWith(t, 'livemode', liveKey.value)
  const p = await probe(t, fake, { STRIPE_SECRET_KEY: liveKey.value, NODE_ENV: 'production' })
  t.equal(p.entry.status, 'pass')
  t.equal(p.entry.output, 'STRIPE_SECRET_KEY accepted (live mode)')
  t.equal(p.entry.details.livemode, true)
  noSecrets(t, secrets, { 'the response': p.bodies() })
})

t.test("a rejected key is AUTH_FAILED, and Stripe's masked echo of it is not passed on", async (t) => {
  const fake = await fakeWith(t, 'ok')
  const p = await probe(t, fake, { STRIPE_SECRET_KEY: otherKey.value })
  t.equal(p.res.statusCode, 503, 'a critical check')
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'AUTH_FAILED')
  t.match(
    p.entry.output,
    /Stripe answered 401: STRIPE_SECRET_KEY was rejected .*copy a secret key from Developers > API keys/,
  )
  t.ok(p.elapsedMs < TIMEOUT_MS + MARGIN_MS)
  await p.poll()
  t.equal(fake.requests.length, 1)
  noSecrets(t, secrets, { 'the responses': p.bodies(), 'the logs': p.logs.text() })
  t.notMatch(p.bodies(), /sk_test_FAKE|\*{4}/, 'not even the masked key')
})

t.test(
  'a restricted key without Balance read is a valid key: warn INSUFFICIENT_SCOPE naming the permission',
  async (t) => {
    const fake = await fakeWith(t, 'restricted-no-balance', restrictedKey.value)
    const p = await probe(t, fake, { STRIPE_SECRET_KEY: restrictedKey.value })
    t.equal(p.res.statusCode, 200, 'a narrow key is not an outage')
    t.equal(p.entry.status, 'warn')
    t.equal(p.entry.reason, 'INSUFFICIENT_SCOPE')
    t.match(
      p.entry.output,
      /STRIPE_SECRET_KEY is a valid restricted key but lacks the rak_balance_read permission .*grant Balance: Read/,
    )
    await p.poll()
    t.equal(fake.requests.length, 1)
    noSecrets(t, secrets, { 'the responses': p.bodies() })
    t.notMatch(p.bodies(), /acct_1FAKE/, 'nor the account id Stripe quoted')
  },
)

t.test('429 is a warning, and no probe is sent before Retry-After passes', async (t) => {
  const fake = await fakeWith(t, 'ratelimit')
  const clock = new ManualClock()
  const p = await probe(
    t,
    fake,
    {
      STRIPE_SECRET_KEY: testKey.value,
      HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1',
      HEALTH_MAX_STALE_MS: '0',
      HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    },
    { clock },
  )
  t.equal(p.res.statusCode, 200)
  t.equal(p.entry.status, 'warn')
  t.equal(p.entry.reason, 'RATE_LIMITED')
  t.match(p.entry.output, /Stripe answered 429 \(rate limited\); next probe in 120s/)
  t.ok(p.elapsedMs < TIMEOUT_MS + MARGIN_MS)
  // past the 1 ms lifetime, far short of the Retry-After: only the wait can hold the probe back
  clock.advance(1000)
  await p.poll(4, '?fresh=1')
  t.equal(fake.requests.length, 1, 'fresh polls wait for Retry-After')
  t.ok(Date.parse(p.entry.expires) - clock.now() > 100_000)
  noSecrets(t, secrets, { 'the responses': p.bodies(), 'the logs': p.logs.text() })
})

t.test('a 500 is UPSTREAM_ERROR after exactly one request, even when Stripe says it may be retried', async (t) => {
  const fake = await fakeWith(t, 'error')
  const p = await probe(t, fake, { STRIPE_SECRET_KEY: testKey.value })
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'UPSTREAM_ERROR')
  t.match(p.entry.output, /Stripe answered 500: a server error on their side/)
  t.ok(p.elapsedMs < TIMEOUT_MS + MARGIN_MS)
  await p.poll()
  t.equal(fake.requests.length, 1, 'maxNetworkRetries 0')
  noSecrets(t, secrets, { 'the responses': p.bodies(), 'the logs': p.logs.text() })
})

t.test('a hang is cancelled at the timeout and the socket closed', async (t) => {
  const fake = await fakeWith(t, 'hang')
  const p = await probe(t, fake, { STRIPE_SECRET_KEY: testKey.value, HEALTH_TIMEOUT_MS: String(HANG_TIMEOUT_MS) })
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'TIMEOUT')
  t.match(p.entry.output, new RegExp(`no answer within ${HANG_TIMEOUT_MS}ms`))
  t.ok(p.elapsedMs < HANG_TIMEOUT_MS + MARGIN_MS, `answered in ${Math.round(p.elapsedMs)}ms`)
  await fake.allSocketsClosed()
  t.equal(fake.openSockets(), 0, 'the probe closed its socket')
  await p.poll()
  t.equal(fake.requests.length, 1)
  noSecrets(t, secrets, { 'the responses': p.bodies(), 'the logs': p.logs.text() })
})

t.test('nothing listening is REFUSED naming the host', async (t) => {
  const gone = await startFake(() => undefined)
  await gone.close()
  const p = await probe(t, gone, { STRIPE_SECRET_KEY: testKey.value })
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'REFUSED')
  t.match(p.entry.output, new RegExp(`connection refused.*127\\.0\\.0\\.1:${gone.port}`))
})

t.test('key modes: test and live keys are never mixed; a test key in production is a warning', async (t) => {
  const pkLive = ['pk', 'live', 'FAKEpublishable'].join('_')
  const pkTest = 'pk_test_FAKEpublishable'
  const fake = await fakeWith(t, 'ok')

  const mixed = await probe(t, fake, { STRIPE_SECRET_KEY: testKey.value, NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: pkLive })
  t.equal(mixed.entry.status, 'fail', 'mixed modes fail although the key works')
  t.match(mixed.entry.output, /NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY is a live key but STRIPE_SECRET_KEY is a test key/)

  const prod = await probe(t, fake, { STRIPE_SECRET_KEY: testKey.value, NODE_ENV: 'production' })
  t.equal(prod.entry.status, 'warn')
  t.match(prod.entry.output, /STRIPE_SECRET_KEY accepted \(test mode\); STRIPE_SECRET_KEY is a test key in production/)

  // without a usable secret key the two publishable keys are still compared with each other
  const findings = stripeRules(
    testConfig({ STRIPE_PUBLISHABLE_KEY: pkTest, NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: pkLive }),
  )
  t.match(findings, [
    {
      setting: 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY',
      severity: 'fail',
      message: /live key but STRIPE_PUBLISHABLE_KEY is a test key/,
    },
  ])
  t.same(
    stripeRules(
      testConfig({
        STRIPE_SECRET_KEY: testKey.value,
        STRIPE_PUBLISHABLE_KEY: pkTest,
        NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: pkTest,
      }),
    ),
    [],
  )
  for (const p of [mixed, prod]) noSecrets(t, secrets, { 'the responses': p.bodies() })
})

t.test('a malformed webhook secret fails although the secret key works: the probe never uses it', async (t) => {
  const fake = await fakeWith(t, 'ok')
  const p = await probe(t, fake, { STRIPE_SECRET_KEY: testKey.value, STRIPE_WEBHOOK_SECRET: 'not-a-webhook-secret' })
  t.equal(p.entry.status, 'fail', 'a critical setting without a live check: its format rule decides')
  t.match(p.entry.output, /STRIPE_WEBHOOK_SECRET is malformed: expected a webhook signing secret starting with whsec_/)
  t.match(p.entry.output, /STRIPE_WEBHOOK_SECRET has no live check.*Developers > Webhooks/)
  t.notMatch(p.bodies(), /not-a-webhook-secret/)
})

t.test('stripe: live and test keys never mixed; the mode fits NODE_ENV', async (t) => {
  const cases: [string, Record<string, string>, { setting: string; severity: string }[]][] = [
    [
      'live everywhere in production',
      {
        NODE_ENV: 'production',
        STRIPE_SECRET_KEY: 'sk_live_a1',
        STRIPE_PUBLISHABLE_KEY: 'pk_live_b2',
        NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: 'pk_live_c3',
      },
      [],
    ],
    [
      'test everywhere in development',
      {
        NODE_ENV: 'development',
        STRIPE_SECRET_KEY: 'sk_test_a1',
        STRIPE_PUBLISHABLE_KEY: 'pk_test_b2',
        NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: 'pk_test_c3',
      },
      [],
    ],
    [
      'live secret, test publishable',
      { NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_live_a1', STRIPE_PUBLISHABLE_KEY: 'pk_test_b2' },
      [{ setting: 'STRIPE_PUBLISHABLE_KEY', severity: 'fail' }],
    ],
    [
      'live restricted key, test browser key',
      { NODE_ENV: 'production', STRIPE_SECRET_KEY: 'rk_live_a1', NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: 'pk_test_c3' },
      [{ setting: 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY', severity: 'fail' }],
    ],
    [
      'test secret, live publishable in development',
      {
        NODE_ENV: 'development',
        STRIPE_SECRET_KEY: 'sk_test_a1',
        STRIPE_PUBLISHABLE_KEY: 'pk_live_b2',
        NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: 'pk_live_c3',
      },
      [
        { setting: 'STRIPE_PUBLISHABLE_KEY', severity: 'fail' },
        { setting: 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY', severity: 'fail' },
      ],
    ],
    [
      'a test key in production',
      { NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_test_a1' },
      [{ setting: 'STRIPE_SECRET_KEY', severity: 'warn' }],
    ],
    [
      'a live key in development',
      { NODE_ENV: 'development', STRIPE_SECRET_KEY: 'sk_live_a1' },
      [{ setting: 'STRIPE_SECRET_KEY', severity: 'warn' }],
    ],
    ['no keys', { NODE_ENV: 'production' }, []],
  ]
  for (const [what, env, expected] of cases) {
    const found = findingsOf(stripe, testConfig(env))
    t.same(
      found.map((f) => ({ setting: f.setting, severity: f.severity })),
      expected,
      what,
    )
    for (const f of found) t.notMatch(f.message, /[sp]k_(live|test)_[a-z0-9]/, `${what}: the message quotes no key`)
  }
})

for (const [what, body, type] of [
  ['an empty JSON object', '{}', 'application/json'],
  ['a list instead of the balance', JSON.stringify({ object: 'list', data: [] }), 'application/json'],
  ['an HTML page', '<!doctype html><html><body>Sign in</body></html>', 'text/html'],
] as const) {
  t.test(`200 with ${what} is never a pass: BAD_RESPONSE naming STRIPE_API_URL`, async (t) => {
    const fake = await startFake((_req, res) => {
      res.writeHead(200, { 'content-type': type })
      res.end(body)
    })
    t.teardown(() => fake.close())
    const p = await probe(t, fake, { STRIPE_SECRET_KEY: testKey.value })
    t.equal(p.entry.status, 'fail')
    t.equal(p.entry.reason, 'BAD_RESPONSE')
    t.match(p.entry.output, /STRIPE_API_URL/)
  })
}

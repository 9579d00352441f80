import t from 'tap'
import upstash from '../../src/checks/upstash.js'
import { startUpstashFake } from '../support/fakes/upstash.js'
import { standardCases } from '../support/provider-cases.js'
import { probeCheck } from '../support/probe.js'
import { sentinel } from '../support/secrets.js'

const upstashTokens = [sentinel('AX'), sentinel('AX')]
standardCases(t, {
  def: upstash,
  secrets: upstashTokens,
  start: (mode) => startUpstashFake(upstashTokens[0].value, mode),
  env: (fake, bad) => ({
    UPSTASH_REDIS_REST_URL: fake.url,
    UPSTASH_REDIS_REST_TOKEN: upstashTokens[bad ? 1 : 0].value,
  }),
  expect: {
    // the fake is http: the https format rule is reported as a warning next to the PONG
    valid: {
      status: 'warn',
      reason: 'MISCONFIGURED',
      output:
        /^PING answered PONG at 127\.0\.0\.1:\d+; UPSTASH_REDIS_REST_URL is malformed: expected an https:\/\/ URL/,
    },
    invalid: {
      status: 'fail',
      reason: 'AUTH_FAILED',
      output: /401: UPSTASH_REDIS_REST_TOKEN was rejected by 127\.0\.0\.1:\d+; copy the REST token/,
    },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /Upstash answered 500/ },
  },
  shape: { output: /UPSTASH_REDIS_REST_URL/, nearMiss: { result: 'OK' } },
})

t.test('upstash: the https rule is the only finding; the PING is a JSON array with a Bearer token', async (t) => {
  const fake = await startUpstashFake(upstashTokens[0].value)
  t.teardown(() => fake.close())
  const p = await probeCheck(t, upstash, {
    UPSTASH_REDIS_REST_URL: `${fake.url}/`,
    UPSTASH_REDIS_REST_TOKEN: upstashTokens[0].value,
  })
  t.same(
    p.entry.findings?.map((f) => [f.setting, f.severity]),
    [['UPSTASH_REDIS_REST_URL', 'warn']],
  )
  t.same(
    fake.requests.map((r) => [r.method, r.url, r.body]),
    [['POST', '/', '["PING"]']],
  )
  t.equal(fake.requests[0].headers.authorization, `Bearer ${upstashTokens[0].value}`)
})

t.test("upstash: an exhausted daily quota is RATE_LIMITED with Upstash's reason", async (t) => {
  const fake = await startUpstashFake(upstashTokens[0].value, 'daily-limit')
  t.teardown(() => fake.close())
  const p = await probeCheck(t, upstash, {
    UPSTASH_REDIS_REST_URL: fake.url,
    UPSTASH_REDIS_REST_TOKEN: upstashTokens[0].value,
  })
  t.equal(p.entry.status, 'warn', 'a malformed setting of an important service stays a warn')
  t.equal(p.entry.reason, 'RATE_LIMITED')
  t.match(p.entry.output, /max daily request limit exceeded/)
})

t.test('upstash: an unset token is NOT_CONFIGURED without a request', async (t) => {
  const fake = await startUpstashFake(upstashTokens[0].value)
  t.teardown(() => fake.close())
  const p = await probeCheck(t, upstash, { UPSTASH_REDIS_REST_URL: fake.url })
  t.equal(p.entry.reason, 'NOT_CONFIGURED')
  t.match(p.entry.output, /UPSTASH_REDIS_REST_TOKEN is not set/)
  t.equal(fake.requests.length, 0)
})

t.test('upstash: a token whose ACL lacks PING is FORBIDDEN, naming the command and the ACL', async (t) => {
  const fake = await startUpstashFake(upstashTokens[0].value, 'noperm')
  t.teardown(() => fake.close())
  const p = await probeCheck(t, upstash, {
    UPSTASH_REDIS_REST_URL: fake.url,
    UPSTASH_REDIS_REST_TOKEN: upstashTokens[0].value,
  })
  t.equal(p.entry.reason, 'FORBIDDEN')
  t.match(p.entry.output, /refused the PING command to UPSTASH_REDIS_REST_TOKEN.*ACL/)
  t.same(
    p.logs.lines.filter((l) => JSON.parse(l).level >= 50),
    [],
    'no error log line',
  )
})

import t from 'tap'
import resend from '../../src/checks/resend.js'
import { startResendFake } from '../support/fakes/resend.js'
import { standardCases } from '../support/provider-cases.js'
import { probeCheck } from '../support/probe.js'
import { noSecrets, sentinel } from '../support/secrets.js'

const resendKeys = [sentinel('re_'), sentinel('re_')]
standardCases(t, {
  def: resend,
  secrets: resendKeys,
  start: (mode) => startResendFake({ full: resendKeys[0].value }, mode),
  env: (fake, bad) => ({ RESEND_API_KEY: resendKeys[bad ? 1 : 0].value, RESEND_API_URL: fake.url }),
  expect: {
    valid: { status: 'pass', output: /RESEND_API_KEY accepted \(full access\); 1 of 2 domains verified/ },
    invalid: {
      status: 'fail',
      reason: 'AUTH_FAILED',
      output: /403 invalid_api_key: RESEND_API_KEY is not a valid key; create one at/,
    },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /Resend answered 500/ },
  },
  shape: { output: /RESEND_API_URL/, nearMiss: { data: [] } },
})

t.test('resend: a sending-only key is valid: warn INSUFFICIENT_SCOPE, saying what it lacks', async (t) => {
  const sending = sentinel('re_')
  const fake = await startResendFake({ sending: sending.value })
  t.teardown(() => fake.close())
  const p = await probeCheck(t, resend, { RESEND_API_KEY: sending.value, RESEND_API_URL: fake.url })
  t.equal(p.entry.status, 'warn')
  t.equal(p.entry.reason, 'INSUFFICIENT_SCOPE')
  t.equal(p.httpStatus, 200, 'a narrow key is not an outage')
  t.match(p.entry.output, /RESEND_API_KEY is a valid key restricted to sending emails: it lacks the read of domains/)
  t.equal(p.entry.details.access, 'sending')
  t.same(
    fake.requests.map((r) => [r.method, r.url]),
    [['GET', '/domains']],
  )
  t.ok(fake.requests[0].headers['user-agent'], 'sends the User-Agent Resend requires')
  noSecrets(t, [sending], { 'the response': p.body })
})

import t from 'tap'
import openai from '../../src/checks/openai.js'
import { startOpenAIFake } from '../support/fakes/openai.js'
import { standardCases } from '../support/provider-cases.js'
import { probeCheck } from '../support/probe.js'
import { sentinel } from '../support/secrets.js'

const openaiKeys = [sentinel('sk-'), sentinel('sk-')]
standardCases(t, {
  def: openai,
  secrets: openaiKeys,
  start: (mode) => startOpenAIFake(openaiKeys[0].value, mode),
  env: (fake, bad) => ({ OPENAI_API_KEY: openaiKeys[bad ? 1 : 0].value, OPENAI_BASE_URL: `${fake.url}/v1` }),
  expect: {
    valid: { status: 'pass', output: /OPENAI_API_KEY accepted; 2 models visible/ },
    invalid: {
      status: 'fail',
      reason: 'AUTH_FAILED',
      output: /401: OPENAI_API_KEY was rejected \(invalid_api_key\); create a key .* and set OPENAI_API_KEY/,
    },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /OpenAI answered 500: a server error on their side/ },
  },
  shape: { output: /OPENAI_BASE_URL/, nearMiss: { data: [] } },
})

t.test('openai: the key goes in the Authorization header of GET <OPENAI_BASE_URL>/models', async (t) => {
  const fake = await startOpenAIFake(openaiKeys[0].value)
  t.teardown(() => fake.close())
  const p = await probeCheck(t, openai, { OPENAI_API_KEY: openaiKeys[0].value, OPENAI_BASE_URL: `${fake.url}/v1/` })
  t.equal(p.entry.status, 'pass')
  t.same(
    fake.requests.map((r) => [r.method, r.url]),
    [['GET', '/v1/models']],
    'a trailing slash in the base URL is fine',
  )
  t.equal(fake.requests[0].headers.authorization, `Bearer ${openaiKeys[0].value}`)
  t.equal(p.entry.details.models, 2)
})

for (const mode of ['missing-scope', 'project-key'] as const) {
  t.test(`openai: a valid key without model read (${mode}) is warn INSUFFICIENT_SCOPE naming the scope`, async (t) => {
    const fake = await startOpenAIFake(openaiKeys[0].value, mode)
    t.teardown(() => fake.close())
    const p = await probeCheck(t, openai, { OPENAI_API_KEY: openaiKeys[0].value, OPENAI_BASE_URL: `${fake.url}/v1` })
    t.equal(p.entry.status, 'warn')
    t.equal(p.entry.reason, 'INSUFFICIENT_SCOPE')
    t.equal(p.httpStatus, 200)
    t.match(p.entry.output, /OPENAI_API_KEY is a valid key but lacks the api\.model\.read permission/)
  })
}

t.test('openai: a 403 for a country the API does not serve stays FORBIDDEN', async (t) => {
  const fake = await startOpenAIFake(openaiKeys[0].value, 'country')
  t.teardown(() => fake.close())
  const p = await probeCheck(t, openai, { OPENAI_API_KEY: openaiKeys[0].value, OPENAI_BASE_URL: `${fake.url}/v1` })
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'FORBIDDEN')
})

t.test(
  'openai: without Retry-After a fresh poll does probe again (the 429 tests would notice a re-probe)',
  async (t) => {
    const fake = await startOpenAIFake(openaiKeys[0].value, 'error')
    t.teardown(() => fake.close())
    const p = await probeCheck(t, openai, {
      OPENAI_API_KEY: openaiKeys[0].value,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    })
    await p.get('?fresh=1')
    t.equal(fake.requests.length, 2)
  },
)

t.test('openai: not configured is skipped without a request', async (t) => {
  const p = await probeCheck(t, openai, {})
  t.equal(p.entry.status, 'skipped')
  t.equal(p.entry.reason, 'NOT_CONFIGURED')
  t.match(p.entry.output, /set OPENAI_API_KEY/)
})

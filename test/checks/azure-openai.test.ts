import t from 'tap'
import azureOpenai from '../../src/checks/azure-openai.js'
import type { Fake } from '../support/fakes/http.js'
import { startAzureFake } from '../support/fakes/azure-openai.js'
import { standardCases } from '../support/provider-cases.js'
import { probeCheck } from '../support/probe.js'
import { noSecrets, sentinel } from '../support/secrets.js'

const azureKeys = [sentinel('', 64), sentinel('', 64)]
const AZURE_DEPLOYMENT = 'chat-gpt4o-mini'
const azureEnv = (fake: Fake, key: string, extra: Record<string, string> = {}) => ({
  AZURE_OPENAI_API_KEY: key,
  AZURE_OPENAI_ENDPOINT: 'https://huntaze-test.openai.azure.com',
  AZURE_OPENAI_BASE_URL: fake.url,
  AZURE_OPENAI_API_VERSION: '2024-10-21',
  AZURE_OPENAI_DEPLOYMENT: AZURE_DEPLOYMENT,
  ...extra,
})

standardCases(t, {
  def: azureOpenai,
  secrets: azureKeys,
  start: (mode) => startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT], mode),
  env: (fake, bad) => azureEnv(fake, azureKeys[bad ? 1 : 0].value),
  expect: {
    valid: {
      status: 'pass',
      output: new RegExp(
        `AZURE_OPENAI_API_KEY accepted and deployment "${AZURE_DEPLOYMENT}" exists \\(no tokens spent\\)`,
      ),
    },
    invalid: {
      status: 'fail',
      reason: 'AUTH_FAILED',
      output:
        /401: AZURE_OPENAI_API_KEY was rejected by 127\.0\.0\.1:\d+; copy KEY 1 or KEY 2 .* check that AZURE_OPENAI_BASE_URL is that resource/,
    },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /Azure OpenAI answered 500/ },
  },
  shape: { output: /AZURE_OPENAI_BASE_URL/, nearMiss: { object: 'list', data: [] } },
})

t.test('azure-openai: the free probe spends no tokens; the key travels in the api-key header', async (t) => {
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT])
  t.teardown(() => fake.close())
  const p = await probeCheck(t, azureOpenai, azureEnv(fake, azureKeys[0].value))
  t.equal(p.entry.status, 'pass')
  t.equal(fake.requests.length, 1)
  const req = fake.requests[0]
  t.equal(req.method, 'POST')
  t.equal(req.url, `/openai/deployments/${AZURE_DEPLOYMENT}/chat/completions?api-version=2024-10-21`)
  t.equal(req.headers['api-key'], azureKeys[0].value)
  const body = JSON.parse(req.body)
  t.same(body.messages, [], 'an empty message list: refused before inference')
  t.notOk('max_tokens' in body, 'no completion is asked for')
  t.same(p.entry.details, {
    host: new URL(fake.url).host,
    deployment: AZURE_DEPLOYMENT,
    apiVersion: '2024-10-21',
    deep: false,
  })
})

t.test('azure-openai: deep mode runs a one-token completion only when HEALTH_DEEP_CHECKS=true', async (t) => {
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT])
  t.teardown(() => fake.close())
  const off = await probeCheck(t, azureOpenai, azureEnv(fake, azureKeys[0].value, { HEALTH_DEEP_CHECKS: 'false' }))
  t.equal(off.entry.status, 'pass')
  const on = await probeCheck(t, azureOpenai, azureEnv(fake, azureKeys[0].value, { HEALTH_DEEP_CHECKS: 'true' }))
  t.equal(on.entry.status, 'pass')
  t.match(on.entry.output, /completed a one-token request \(deep check\)/)
  t.equal(fake.requests.length, 2)
  const [free, deep] = fake.requests.map((r) => JSON.parse(r.body))
  t.notOk('max_tokens' in free, 'without deep checks: no completion')
  t.equal(deep.max_tokens, 1, 'with deep checks: at most one token')
  t.equal(deep.messages.length, 1)
  t.equal(on.entry.details.deep, true)
})

t.test('azure-openai: an unknown deployment is NOT_FOUND naming it', async (t) => {
  const fake = await startAzureFake(azureKeys[0].value, ['some-other-deployment'])
  t.teardown(() => fake.close())
  const p = await probeCheck(t, azureOpenai, azureEnv(fake, azureKeys[0].value))
  t.equal(p.httpStatus, 503, 'a critical check')
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'NOT_FOUND')
  t.match(
    p.entry.output,
    new RegExp(
      `no deployment "${AZURE_DEPLOYMENT}" on 127\\.0\\.0\\.1:\\d+; set AZURE_OPENAI_DEPLOYMENT to a deployment name`,
    ),
  )
  noSecrets(t, azureKeys, { 'the response': p.body })
})

t.test(
  'azure-openai: a key that breaks the 64-character rule but is accepted is a warning naming the rule',
  async (t) => {
    // Azure also issues 32-character hexadecimal keys
    const short = sentinel('', 32, '0123456789abcdef')
    const fake = await startAzureFake(short.value, [AZURE_DEPLOYMENT])
    t.teardown(() => fake.close())
    const p = await probeCheck(t, azureOpenai, azureEnv(fake, short.value))
    t.equal(p.httpStatus, 200)
    t.equal(p.entry.status, 'warn')
    t.equal(p.entry.reason, 'MISCONFIGURED')
    t.match(p.entry.output, /AZURE_OPENAI_API_KEY is malformed: expected exactly 64 characters, got 32/)
    t.match(p.entry.output, /accepted and deployment/, 'and says the live check passed')
    t.match(p.entry.findings, [{ setting: 'AZURE_OPENAI_API_KEY', problem: 'malformed', severity: 'warn' }])
    noSecrets(t, [short], { 'the response': p.body, 'the logs': p.logs.text() })
  },
)

t.test('azure-openai: a key that breaks the rule and is rejected fails', async (t) => {
  const short = sentinel('', 32, '0123456789abcdef')
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT])
  t.teardown(() => fake.close())
  const p = await probeCheck(t, azureOpenai, azureEnv(fake, short.value))
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'AUTH_FAILED')
  t.match(p.entry.findings, [{ setting: 'AZURE_OPENAI_API_KEY', severity: 'fail' }])
})

t.test('azure-openai: a deployment of a model without chat completions is a warning', async (t) => {
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT], 'embeddings')
  t.teardown(() => fake.close())
  const p = await probeCheck(t, azureOpenai, azureEnv(fake, azureKeys[0].value))
  t.equal(p.entry.status, 'warn')
  t.equal(p.entry.reason, 'MISCONFIGURED')
  t.match(p.entry.output, /does not support chat completions; point AZURE_OPENAI_DEPLOYMENT at a chat model/)
})

t.test('azure-openai: without AZURE_OPENAI_BASE_URL requests go to AZURE_OPENAI_ENDPOINT', async (t) => {
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT])
  t.teardown(() => fake.close())
  // an http endpoint breaks the https rule, which the output reports next to the live result
  const p = await probeCheck(t, azureOpenai, {
    ...azureEnv(fake, azureKeys[0].value),
    AZURE_OPENAI_BASE_URL: '',
    AZURE_OPENAI_ENDPOINT: `${fake.url}/`,
  })
  t.equal(fake.requests.length, 1)
  t.equal(p.entry.status, 'warn', 'the live check is the authority: the broken format rule is a warning')
  t.match(
    p.entry.output,
    /AZURE_OPENAI_ENDPOINT is malformed: expected an endpoint https:\/\/<resource name>\.openai\.azure\.com/,
  )
})

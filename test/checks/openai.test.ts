import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import azureOpenai from '../../src/checks/azure-openai.js'
import datadog, { datadogApiUrl } from '../../src/checks/datadog.js'
import openai from '../../src/checks/openai.js'
import resend from '../../src/checks/resend.js'
import sentry, { parseDsn } from '../../src/checks/sentry.js'
import upstash from '../../src/checks/upstash.js'
import type { CheckDefinition } from '../../src/checks/types.js'
import { appWith, testConfig } from '../support/helpers.js'
import type { Fake } from '../support/fakes/http.js'
import { startAzureFake, type AzureMode } from '../support/fakes/azure-openai.js'
import { startDatadogFake, type DatadogMode } from '../support/fakes/datadog.js'
import { startOpenAIFake, type OpenAIMode } from '../support/fakes/openai.js'
import { startResendFake, type ResendMode } from '../support/fakes/resend.js'
import { startSentryFake } from '../support/fakes/sentry.js'
import { startUpstashFake, type UpstashMode } from '../support/fakes/upstash.js'

const TIMEOUT_MS = 2000
const HANG_TIMEOUT_MS = 300
// loaded CI machines are slow to schedule; a timeout still has to fire well before this
const MARGIN_MS = 1000

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'

interface Secret {
  value: string
  // substrings that give the secret away: the part after the public prefix, its start and its end
  tells: string[]
}

// random letters after the public prefix, so that an echo of the secret, whole or masked, is found
function sentinel(prefix: string, length = 40, alphabet = letters): Secret {
  const bytes = randomBytes(length)
  const rand = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
  const value = `${prefix}${rand}`
  return { value, tells: [value, rand.slice(0, 6), rand.slice(-6)] }
}

function assertNoSecret(t: Test, where: string, text: string, secrets: Secret[]): void {
  for (const s of secrets) for (const tell of s.tells) t.notOk(text.includes(tell), `${where} does not contain the secret or a part of it`)
}

interface Probed {
  status: number
  body: string
  entry: Record<string, any>
  elapsed: number
  logs: () => string
  get: (query?: string) => Promise<{ status: number; body: string }>
}

async function probe(t: Test, def: CheckDefinition, env: Record<string, string>): Promise<Probed> {
  const { app, logs } = await appWith(env, { checks: [def] })
  t.teardown(() => app.close())
  const get = async (query = '') => {
    const res = await app.inject(`/health/${def.name}${query}`)
    return { status: res.statusCode, body: res.body }
  }
  const started = performance.now()
  const first = await get()
  const elapsed = performance.now() - started
  const entry = JSON.parse(first.body).checks[`${def.name}:responseTime`][0]
  return { status: first.status, body: first.body, entry, elapsed, logs: () => logs.text(), get }
}

// Polls like a monitor (JSON and the text view) and returns every body seen.
async function poll(p: Probed, times = 4, query = ''): Promise<string> {
  const bodies: string[] = []
  for (let i = 0; i < times; i++) bodies.push((await p.get(i % 2 ? `${query}${query ? '&' : '?'}verbose=1` : query)).body)
  return bodies.join('\n')
}

interface Expect {
  status: 'pass' | 'warn' | 'fail'
  reason?: string
  output: RegExp
}

interface Suite<M extends string> {
  def: CheckDefinition
  secrets: Secret[]
  start: (mode: M) => Promise<Fake>
  env: (fake: Fake, secrets: { valid: string; invalid: string }) => Record<string, string>
  cases: { valid: Expect; invalid: Expect; error: Expect }
  // a known runner defect that changes the rate-limited status, reported to the lead
}

// valid, invalid, 429 with Retry-After, 5xx and hang, each held to status, reason, output, time, secrets and request count
function standardCases<M extends string>(name: string, suite: Suite<M>): void {
  const [good, bad] = suite.secrets
  const run = async (t: Test, mode: M, useBad: boolean, expect: Expect, extraEnv: Record<string, string> = {}, timeoutMs = TIMEOUT_MS) => {
    const fake = await suite.start(mode)
    t.teardown(() => fake.close())
    const env: Record<string, string> = { HEALTH_TIMEOUT_MS: String(timeoutMs), ...suite.env(fake, { valid: good.value, invalid: bad.value }), ...extraEnv }
    if (useBad) env[Object.keys(env).find((k) => env[k] === good.value)!] = bad.value
    const p = await probe(t, suite.def, env)
    t.equal(p.entry.status, expect.status, 'status')
    t.equal(p.entry.reason, expect.reason, 'reason code')
    t.match(p.entry.output ?? '', expect.output, 'actionable output')
    t.equal(p.status, expect.status === 'fail' ? 503 : 200, 'HTTP status of /health/<name>')
    t.ok(p.elapsed < timeoutMs + MARGIN_MS, `answered within the timeout plus a margin (${Math.round(p.elapsed)}ms)`)
    const polled = await poll(p, 4, Object.keys(extraEnv).length > 0 ? '?fresh=1' : '')
    t.equal(fake.requests.length, 1, 'one request to the provider, however often /health is polled')
    assertNoSecret(t, 'the responses', `${p.body}\n${polled}`, suite.secrets)
    assertNoSecret(t, 'the logs', p.logs(), suite.secrets)
    return { fake, p }
  }

  t.test(`${name}: valid credentials`, async (t) => {
    await run(t, 'ok' as M, false, suite.cases.valid)
  })
  t.test(`${name}: invalid credentials`, async (t) => {
    await run(t, 'ok' as M, true, suite.cases.invalid)
  })
  t.test(`${name}: 429 is a warning, and no probe is sent before Retry-After passes`, async (t) => {
    // a one-millisecond lifetime and ?fresh polls would probe again at once, but for the Retry-After
    const { p } = await run(t, 'ratelimit' as M, false, { status: 'warn', reason: 'RATE_LIMITED', output: /429 \(rate limited\); next probe in 120s/ }, {
      HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1',
      HEALTH_MAX_STALE_MS: '0',
      HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    }, TIMEOUT_MS)
    t.ok(Date.parse(p.entry.expires) - Date.now() > 100_000, 'the result lives until Retry-After passes')
  })
  t.test(`${name}: a server error`, async (t) => {
    await run(t, 'error' as M, false, suite.cases.error)
  })
  t.test(`${name}: a hang is cancelled at the timeout and its socket closed`, async (t) => {
    const { fake } = await run(t, 'hang' as M, false, { status: 'fail', reason: 'TIMEOUT', output: new RegExp(`no answer within ${HANG_TIMEOUT_MS}ms`) }, {}, HANG_TIMEOUT_MS)
    await fake.allSocketsClosed()
    t.equal(fake.openSockets(), 0, 'the probe closed its socket')
  })
}

// ---------------------------------------------------------------- openai

const openaiKeys = [sentinel('sk-'), sentinel('sk-')]
standardCases<OpenAIMode>('openai', {
  def: openai,
  secrets: openaiKeys,
  start: (mode) => startOpenAIFake(openaiKeys[0].value, mode),
  env: (fake, k) => ({ OPENAI_API_KEY: k.valid, OPENAI_BASE_URL: `${fake.url}/v1` }),
  cases: {
    valid: { status: 'pass', output: /OPENAI_API_KEY accepted; 2 models visible/ },
    invalid: { status: 'fail', reason: 'AUTH_FAILED', output: /401: OPENAI_API_KEY was rejected \(invalid_api_key\); create a key .* and set OPENAI_API_KEY/ },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /OpenAI answered 500: a server error on their side/ },
  },
})

t.test('openai: the key goes in the Authorization header of GET <OPENAI_BASE_URL>/models', async (t) => {
  const fake = await startOpenAIFake(openaiKeys[0].value)
  t.teardown(() => fake.close())
  const p = await probe(t, openai, { OPENAI_API_KEY: openaiKeys[0].value, OPENAI_BASE_URL: `${fake.url}/v1/` })
  t.equal(p.entry.status, 'pass')
  t.same(fake.requests.map((r) => [r.method, r.url]), [['GET', '/v1/models']], 'a trailing slash in the base URL is fine')
  t.equal(fake.requests[0].headers.authorization, `Bearer ${openaiKeys[0].value}`)
  t.equal(p.entry.details.models, 2)
})

t.test('openai: a restricted key without the models scope is FORBIDDEN naming the scope', async (t) => {
  const fake = await startOpenAIFake(openaiKeys[0].value, 'missing-scope')
  t.teardown(() => fake.close())
  const p = await probe(t, openai, { OPENAI_API_KEY: openaiKeys[0].value, OPENAI_BASE_URL: `${fake.url}/v1` })
  t.equal(p.entry.reason, 'FORBIDDEN')
  t.match(p.entry.output, /OPENAI_API_KEY is a restricted key without the api\.model\.read permission/)
})

t.test('openai: without Retry-After a fresh poll does probe again (the 429 tests would notice a re-probe)', async (t) => {
  const fake = await startOpenAIFake(openaiKeys[0].value, 'error')
  t.teardown(() => fake.close())
  const p = await probe(t, openai, { OPENAI_API_KEY: openaiKeys[0].value, OPENAI_BASE_URL: `${fake.url}/v1`, HEALTH_MIN_PROBE_INTERVAL_MS: '0' })
  await p.get('?fresh=1')
  t.equal(fake.requests.length, 2)
})

t.test('openai: not configured is skipped without a request', async (t) => {
  const p = await probe(t, openai, {})
  t.equal(p.entry.status, 'skipped')
  t.equal(p.entry.reason, 'NOT_CONFIGURED')
  t.match(p.entry.output, /set OPENAI_API_KEY/)
})

// ---------------------------------------------------------------- azure-openai

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

standardCases<AzureMode>('azure-openai', {
  def: azureOpenai,
  secrets: azureKeys,
  start: (mode) => startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT], mode),
  env: (fake, k) => azureEnv(fake, k.valid),
  cases: {
    valid: { status: 'pass', output: new RegExp(`AZURE_OPENAI_API_KEY accepted and deployment "${AZURE_DEPLOYMENT}" exists \\(no tokens spent\\)`) },
    invalid: { status: 'fail', reason: 'AUTH_FAILED', output: /401: AZURE_OPENAI_API_KEY was rejected by 127\.0\.0\.1:\d+; copy KEY 1 or KEY 2 .* check that AZURE_OPENAI_BASE_URL is that resource/ },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /Azure OpenAI answered 500/ },
  },
})

t.test('azure-openai: the free probe spends no tokens; the key travels in the api-key header', async (t) => {
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT])
  t.teardown(() => fake.close())
  const p = await probe(t, azureOpenai, azureEnv(fake, azureKeys[0].value))
  t.equal(p.entry.status, 'pass')
  t.equal(fake.requests.length, 1)
  const req = fake.requests[0]
  t.equal(req.method, 'POST')
  t.equal(req.url, `/openai/deployments/${AZURE_DEPLOYMENT}/chat/completions?api-version=2024-10-21`)
  t.equal(req.headers['api-key'], azureKeys[0].value)
  const body = JSON.parse(req.body)
  t.same(body.messages, [], 'an empty message list: refused before inference')
  t.notOk('max_tokens' in body, 'no completion is asked for')
  t.same(p.entry.details, { host: new URL(fake.url).host, deployment: AZURE_DEPLOYMENT, apiVersion: '2024-10-21', deep: false })
})

t.test('azure-openai: deep mode runs a one-token completion only when HEALTH_DEEP_CHECKS=true', async (t) => {
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT])
  t.teardown(() => fake.close())
  const off = await probe(t, azureOpenai, azureEnv(fake, azureKeys[0].value, { HEALTH_DEEP_CHECKS: 'false' }))
  t.equal(off.entry.status, 'pass')
  const on = await probe(t, azureOpenai, azureEnv(fake, azureKeys[0].value, { HEALTH_DEEP_CHECKS: 'true' }))
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
  const p = await probe(t, azureOpenai, azureEnv(fake, azureKeys[0].value))
  t.equal(p.status, 503, 'a critical check')
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'NOT_FOUND')
  t.match(p.entry.output, new RegExp(`no deployment "${AZURE_DEPLOYMENT}" on 127\\.0\\.0\\.1:\\d+; set AZURE_OPENAI_DEPLOYMENT to a deployment name`))
  assertNoSecret(t, 'the response', p.body, azureKeys)
})

t.test('azure-openai: a key that breaks the 64-character rule but is accepted is a warning naming the rule', async (t) => {
  // Azure also issues 32-character hexadecimal keys
  const short = sentinel('', 32, '0123456789abcdef')
  const fake = await startAzureFake(short.value, [AZURE_DEPLOYMENT])
  t.teardown(() => fake.close())
  const p = await probe(t, azureOpenai, azureEnv(fake, short.value))
  t.equal(p.status, 200)
  t.equal(p.entry.status, 'warn')
  t.equal(p.entry.reason, 'MISCONFIGURED')
  t.match(p.entry.output, /AZURE_OPENAI_API_KEY is malformed: expected exactly 64 characters, got 32/)
  t.match(p.entry.output, /accepted and deployment/, 'and says the live check passed')
  t.match(p.entry.findings, [{ setting: 'AZURE_OPENAI_API_KEY', problem: 'malformed', severity: 'warn' }])
  assertNoSecret(t, 'the response', p.body, [short])
  assertNoSecret(t, 'the logs', p.logs(), [short])
})

t.test('azure-openai: a key that breaks the rule and is rejected fails', async (t) => {
  const short = sentinel('', 32, '0123456789abcdef')
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT])
  t.teardown(() => fake.close())
  const p = await probe(t, azureOpenai, azureEnv(fake, short.value))
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'AUTH_FAILED')
  t.match(p.entry.findings, [{ setting: 'AZURE_OPENAI_API_KEY', severity: 'fail' }])
})

t.test('azure-openai: a deployment of a model without chat completions is a warning', async (t) => {
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT], 'embeddings')
  t.teardown(() => fake.close())
  const p = await probe(t, azureOpenai, azureEnv(fake, azureKeys[0].value))
  t.equal(p.entry.status, 'warn')
  t.equal(p.entry.reason, 'MISCONFIGURED')
  t.match(p.entry.output, /does not support chat completions; point AZURE_OPENAI_DEPLOYMENT at a chat model/)
})

t.test('azure-openai: without AZURE_OPENAI_BASE_URL requests go to AZURE_OPENAI_ENDPOINT', async (t) => {
  const fake = await startAzureFake(azureKeys[0].value, [AZURE_DEPLOYMENT])
  t.teardown(() => fake.close())
  // an http endpoint breaks the https rule, which the output reports next to the live result
  const p = await probe(t, azureOpenai, { ...azureEnv(fake, azureKeys[0].value), AZURE_OPENAI_BASE_URL: '', AZURE_OPENAI_ENDPOINT: `${fake.url}/` })
  t.equal(fake.requests.length, 1)
  t.equal(p.entry.status, 'warn', 'the live check is the authority: the broken format rule is a warning')
  t.match(p.entry.output, /AZURE_OPENAI_ENDPOINT is malformed: expected an endpoint https:\/\/<resource name>\.openai\.azure\.com/)
})

// ---------------------------------------------------------------- upstash

const upstashTokens = [sentinel('AX'), sentinel('AX')]
standardCases<UpstashMode>('upstash', {
  def: upstash,
  secrets: upstashTokens,
  start: (mode) => startUpstashFake(upstashTokens[0].value, mode),
  env: (fake, k) => ({ UPSTASH_REDIS_REST_URL: fake.url, UPSTASH_REDIS_REST_TOKEN: k.valid }),
  cases: {
    // the fake is http: the https format rule is reported as a warning next to the PONG
    valid: { status: 'warn', reason: 'MISCONFIGURED', output: /^PING answered PONG at 127\.0\.0\.1:\d+; UPSTASH_REDIS_REST_URL is malformed: expected an https:\/\/ URL/ },
    invalid: { status: 'fail', reason: 'AUTH_FAILED', output: /401: UPSTASH_REDIS_REST_TOKEN was rejected by 127\.0\.0\.1:\d+; copy the REST token/ },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /Upstash answered 500/ },
  },
})

t.test('upstash: the https rule is the only finding; the PING is a JSON array with a Bearer token', async (t) => {
  const fake = await startUpstashFake(upstashTokens[0].value)
  t.teardown(() => fake.close())
  const p = await probe(t, upstash, { UPSTASH_REDIS_REST_URL: `${fake.url}/`, UPSTASH_REDIS_REST_TOKEN: upstashTokens[0].value })
  t.same(p.entry.findings.map((f: { setting: string; severity: string }) => [f.setting, f.severity]), [['UPSTASH_REDIS_REST_URL', 'warn']])
  t.same(fake.requests.map((r) => [r.method, r.url, r.body]), [['POST', '/', '["PING"]']])
  t.equal(fake.requests[0].headers.authorization, `Bearer ${upstashTokens[0].value}`)
})

t.test('upstash: an exhausted daily quota is RATE_LIMITED with Upstash\'s reason', async (t) => {
  const fake = await startUpstashFake(upstashTokens[0].value, 'daily-limit')
  t.teardown(() => fake.close())
  const p = await probe(t, upstash, { UPSTASH_REDIS_REST_URL: fake.url, UPSTASH_REDIS_REST_TOKEN: upstashTokens[0].value })
  t.equal(p.entry.status, 'warn', 'a malformed setting of an important service stays a warn')
  t.equal(p.entry.reason, 'RATE_LIMITED')
  t.match(p.entry.output, /max daily request limit exceeded/)
})

t.test('upstash: an unset token is NOT_CONFIGURED without a request', async (t) => {
  const fake = await startUpstashFake(upstashTokens[0].value)
  t.teardown(() => fake.close())
  const p = await probe(t, upstash, { UPSTASH_REDIS_REST_URL: fake.url })
  t.equal(p.entry.reason, 'NOT_CONFIGURED')
  t.match(p.entry.output, /UPSTASH_REDIS_REST_TOKEN is not set/)
  t.equal(fake.requests.length, 0)
})

// ---------------------------------------------------------------- resend

const resendKeys = [sentinel('re_'), sentinel('re_')]
standardCases<ResendMode>('resend', {
  def: resend,
  secrets: resendKeys,
  start: (mode) => startResendFake({ full: resendKeys[0].value }, mode),
  env: (fake, k) => ({ RESEND_API_KEY: k.valid, RESEND_API_URL: fake.url }),
  cases: {
    valid: { status: 'pass', output: /RESEND_API_KEY accepted \(full access\); 1 of 2 domains verified/ },
    invalid: { status: 'fail', reason: 'AUTH_FAILED', output: /403 invalid_api_key: RESEND_API_KEY is not a valid key; create one at/ },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /Resend answered 500/ },
  },
})

t.test('resend: a sending-only key is valid: pass, saying it is restricted', async (t) => {
  const sending = sentinel('re_')
  const fake = await startResendFake({ sending: sending.value })
  t.teardown(() => fake.close())
  const p = await probe(t, resend, { RESEND_API_KEY: sending.value, RESEND_API_URL: fake.url })
  t.equal(p.entry.status, 'pass')
  t.match(p.entry.output, /RESEND_API_KEY is valid and restricted to sending emails/)
  t.equal(p.entry.details.access, 'sending')
  t.same(fake.requests.map((r) => [r.method, r.url]), [['GET', '/domains']])
  t.ok(fake.requests[0].headers['user-agent'], 'sends the User-Agent Resend requires')
  assertNoSecret(t, 'the response', p.body, [sending])
})

// ---------------------------------------------------------------- datadog

const hex = '0123456789abcdef'
const datadogKeys = [sentinel('', 32, hex), sentinel('', 32, hex)]
standardCases<DatadogMode>('datadog', {
  def: datadog,
  secrets: datadogKeys,
  start: (mode) => startDatadogFake(datadogKeys[0].value, mode),
  env: (fake, k) => ({ DATADOG_API_KEY: k.valid, DATADOG_API_URL: fake.url }),
  cases: {
    valid: { status: 'pass', output: /DATADOG_API_KEY is valid on DATADOG_API_URL http:\/\/127\.0\.0\.1:\d+/ },
    invalid: { status: 'fail', reason: 'AUTH_FAILED', output: /403: DATADOG_API_KEY is not a valid API key .*use an API key \(not an application key\).*set DATADOG_SITE/ },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /Datadog answered 500/ },
  },
})

t.test('datadog: the key travels in DD-API-KEY, never in the URL', async (t) => {
  const fake = await startDatadogFake(datadogKeys[0].value)
  t.teardown(() => fake.close())
  await probe(t, datadog, { DATADOG_API_KEY: datadogKeys[0].value, DATADOG_API_URL: fake.url })
  t.same(fake.requests.map((r) => [r.method, r.url]), [['GET', '/api/v1/validate']])
  t.equal(fake.requests[0].headers['dd-api-key'], datadogKeys[0].value)
})

t.test('datadog: a 429 with only X-RateLimit-Reset waits that long', async (t) => {
  const fake = await startDatadogFake(datadogKeys[0].value, 'ratelimit-reset')
  t.teardown(() => fake.close())
  const p = await probe(t, datadog, {
    DATADOG_API_KEY: datadogKeys[0].value,
    DATADOG_API_URL: fake.url,
    HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1',
    HEALTH_MAX_STALE_MS: '0',
    HEALTH_MIN_PROBE_INTERVAL_MS: '0',
  })
  t.equal(p.entry.reason, 'RATE_LIMITED')
  t.match(p.entry.output, /next probe in 45s/)
  await poll(p, 3, '?fresh=1')
  t.equal(fake.requests.length, 1)
})

t.test('datadog: the API host follows DATADOG_SITE unless DATADOG_API_URL is set', async (t) => {
  t.equal(datadogApiUrl(testConfig().settings.DATADOG_SITE, undefined), 'https://api.datadoghq.com', 'the default site')
  t.equal(datadogApiUrl('datadoghq.eu', undefined), 'https://api.datadoghq.eu')
  t.equal(datadogApiUrl('us5.datadoghq.com', undefined), 'https://api.us5.datadoghq.com')
  t.equal(datadogApiUrl('app.datadoghq.eu', undefined), 'https://api.datadoghq.eu', 'the app host pasted as the site')
  t.equal(datadogApiUrl('datadoghq.eu', 'http://127.0.0.1:9/'), 'http://127.0.0.1:9')
})

// ---------------------------------------------------------------- sentry

// the DSN's public key is not a secret by the catalogue's rule, but it is never reported either
const sentryKey = sentinel('', 32, hex)
const dsnFor = (fake: Fake, project = '4507123') => `http://${sentryKey.value}@127.0.0.1:${fake.port}/${project}`

t.test('sentry: without SENTRY_CHECK_INGEST it is format only, says so, and sends nothing', async (t) => {
  const fake = await startSentryFake()
  t.teardown(() => fake.close())
  const p = await probe(t, sentry, { SENTRY_DSN: dsnFor(fake) })
  t.equal(p.entry.status, 'pass')
  t.match(p.entry.output, /^format only: SENTRY_DSN names project 4507123 on 127\.0\.0\.1:\d+; set SENTRY_CHECK_INGEST=true/)
  t.same(p.entry.details, { host: `127.0.0.1:${fake.port}`, projectId: '4507123', ingestChecked: false })
  t.equal(fake.requests.length, 0)
  assertNoSecret(t, 'the response', p.body, [sentryKey])
})

t.test('sentry: with SENTRY_CHECK_INGEST the ingest host answers a GET that submits nothing', async (t) => {
  const fake = await startSentryFake()
  t.teardown(() => fake.close())
  const p = await probe(t, sentry, { SENTRY_DSN: dsnFor(fake), SENTRY_CHECK_INGEST: 'true' })
  t.equal(p.entry.status, 'pass')
  t.match(p.entry.output, /the ingest host 127\.0\.0\.1:\d+ answers \(HTTP 405, no event sent\)/)
  t.same(fake.requests.map((r) => [r.method, r.url]), [['GET', '/api/4507123/envelope/']])
  t.notOk(JSON.stringify(fake.requests[0].headers).includes(sentryKey.value), 'the key is not even sent')
  t.equal(p.entry.details.ingestStatus, 405)
  await poll(p)
  t.equal(fake.requests.length, 1)
  assertNoSecret(t, 'the response', p.body, [sentryKey])
  assertNoSecret(t, 'the logs', p.logs(), [sentryKey])
})

t.test('sentry: a DSN with a path prefix keeps it', async (t) => {
  t.match(parseDsn('https://abc@sentry.example.com/sentry/42'), { host: 'sentry.example.com', pathPrefix: '/sentry', projectId: '42' })
  t.equal(parseDsn('https://sentry.example.com/42'), null, 'no public key')
  t.equal(parseDsn('https://abc@sentry.example.com/project'), null, 'no numeric project id')
})

t.test('sentry: a malformed DSN is MISCONFIGURED with what to copy', async (t) => {
  const p = await probe(t, sentry, { SENTRY_DSN: 'https://sentry.example.com/not-a-project' })
  t.equal(p.entry.status, 'fail')
  t.equal(p.entry.reason, 'MISCONFIGURED')
  t.match(p.entry.output, /SENTRY_DSN cannot be parsed; copy the DSN .* from Project Settings > Client Keys/)
})

for (const [mode, expect] of [
  ['ratelimit', { status: 'warn', reason: 'RATE_LIMITED', output: /429 \(rate limited\); next probe in 120s/ }],
  ['error', { status: 'fail', reason: 'UPSTREAM_ERROR', output: /Sentry ingest 127\.0\.0\.1:\d+ answered 502/ }],
  ['hang', { status: 'fail', reason: 'TIMEOUT', output: new RegExp(`no answer within ${HANG_TIMEOUT_MS}ms`) }],
] as const) {
  t.test(`sentry: ingest ${mode}`, async (t) => {
    const fake = await startSentryFake(mode)
    t.teardown(() => fake.close())
    const p = await probe(t, sentry, { SENTRY_DSN: dsnFor(fake), SENTRY_CHECK_INGEST: 'true', HEALTH_TIMEOUT_MS: String(HANG_TIMEOUT_MS) })
    t.equal(p.entry.status, expect.status)
    t.equal(p.entry.reason, expect.reason)
    t.match(p.entry.output, expect.output)
    t.ok(p.elapsed < HANG_TIMEOUT_MS + MARGIN_MS, 'within the timeout plus a margin')
    await poll(p)
    t.equal(fake.requests.length, 1)
    assertNoSecret(t, 'the response', p.body, [sentryKey])
    if (mode === 'hang') {
      await fake.allSocketsClosed()
      t.equal(fake.openSockets(), 0)
    }
  })
}

import t from 'tap'
import datadog, { datadogApiUrl } from '../../src/checks/datadog.js'
import { testConfig } from '../support/helpers.js'
import { startDatadogFake } from '../support/fakes/datadog.js'
import { standardCases } from '../support/provider-cases.js'
import { probeCheck } from '../support/probe.js'
import { ManualClock } from '../support/clock.js'
import { sentinel } from '../support/secrets.js'

const hex = '0123456789abcdef'
const datadogKeys = [sentinel('', 32, hex), sentinel('', 32, hex)]
standardCases(t, {
  def: datadog,
  secrets: datadogKeys,
  start: (mode) => startDatadogFake(datadogKeys[0].value, mode),
  env: (fake, bad) => ({ DATADOG_API_KEY: datadogKeys[bad ? 1 : 0].value, DATADOG_API_URL: fake.url }),
  expect: {
    valid: { status: 'pass', output: /DATADOG_API_KEY is valid on DATADOG_API_URL http:\/\/127\.0\.0\.1:\d+/ },
    invalid: {
      status: 'fail',
      reason: 'AUTH_FAILED',
      output:
        /403: DATADOG_API_KEY is not a valid API key .*use an API key \(not an application key\).*set DATADOG_SITE/,
    },
    error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /Datadog answered 500/ },
  },
  shape: { output: /DATADOG_API_URL/, nearMiss: { status: 'ok' } },
})

t.test('datadog: the key travels in DD-API-KEY, never in the URL', async (t) => {
  const fake = await startDatadogFake(datadogKeys[0].value)
  t.teardown(() => fake.close())
  await probeCheck(t, datadog, { DATADOG_API_KEY: datadogKeys[0].value, DATADOG_API_URL: fake.url })
  t.same(
    fake.requests.map((r) => [r.method, r.url]),
    [['GET', '/api/v1/validate']],
  )
  t.equal(fake.requests[0].headers['dd-api-key'], datadogKeys[0].value)
})

t.test('datadog: a 429 with only X-RateLimit-Reset waits that long', async (t) => {
  const fake = await startDatadogFake(datadogKeys[0].value, 'ratelimit-reset')
  t.teardown(() => fake.close())
  const clock = new ManualClock()
  const p = await probeCheck(
    t,
    datadog,
    {
      DATADOG_API_KEY: datadogKeys[0].value,
      DATADOG_API_URL: fake.url,
      HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1',
      HEALTH_MAX_STALE_MS: '0',
      HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    },
    { clock },
  )
  t.equal(p.entry.reason, 'RATE_LIMITED')
  t.match(p.entry.output, /next probe in 45s/)
  // past the 1 ms lifetime, far short of the Retry-After: only the wait can hold the probe back
  clock.advance(1000)
  await p.poll(3, '?fresh=1')
  t.equal(fake.requests.length, 1)
})

t.test('datadog: the API host follows DATADOG_SITE unless DATADOG_API_URL is set', async (t) => {
  t.equal(datadogApiUrl(testConfig().settings.DATADOG_SITE, undefined), 'https://api.datadoghq.com', 'the default site')
  t.equal(datadogApiUrl('datadoghq.eu', undefined), 'https://api.datadoghq.eu')
  t.equal(datadogApiUrl('us5.datadoghq.com', undefined), 'https://api.us5.datadoghq.com')
  t.equal(datadogApiUrl('app.datadoghq.eu', undefined), 'https://api.datadoghq.eu', 'the app host pasted as the site')
  t.equal(datadogApiUrl('datadoghq.eu', 'http://127.0.0.1:9/'), 'http://127.0.0.1:9')
})

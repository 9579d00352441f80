import t from 'tap'
import sentry, { parseDsn } from '../../src/checks/sentry.js'
import { startFake, type Fake } from '../support/fakes/http.js'
import { startSentryFake } from '../support/fakes/sentry.js'
import { HANG_TIMEOUT_MS } from '../support/provider-cases.js'
import { MARGIN_MS, probeCheck } from '../support/probe.js'
import { noSecrets, sentinel } from '../support/secrets.js'

const hex = '0123456789abcdef'

// the DSN's public key is not a secret by the catalogue's rule, but it is never reported either
const sentryKey = sentinel('', 32, hex)
const dsnFor = (fake: Fake, project = '4507123') => `http://${sentryKey.value}@127.0.0.1:${fake.port}/${project}`

t.test('sentry: without SENTRY_CHECK_INGEST it is format only, says so, and sends nothing', async (t) => {
  const fake = await startSentryFake()
  t.teardown(() => fake.close())
  const p = await probeCheck(t, sentry, { SENTRY_DSN: dsnFor(fake) })
  t.equal(p.entry.status, 'pass')
  t.match(
    p.entry.output,
    /^format only: SENTRY_DSN names project 4507123 on 127\.0\.0\.1:\d+; set SENTRY_CHECK_INGEST=true/,
  )
  t.same(p.entry.details, { host: `127.0.0.1:${fake.port}`, projectId: '4507123', ingestChecked: false })
  t.equal(fake.requests.length, 0)
  t.equal(p.entry.liveCheck, false, 'nothing was asked over the network, and the entry says so')
  noSecrets(t, [sentryKey], { 'the response': p.body })
})

t.test('sentry: with SENTRY_CHECK_INGEST the ingest host answers a GET that submits nothing', async (t) => {
  const fake = await startSentryFake()
  t.teardown(() => fake.close())
  const p = await probeCheck(t, sentry, { SENTRY_DSN: dsnFor(fake), SENTRY_CHECK_INGEST: 'true' })
  t.equal(p.entry.status, 'pass')
  t.match(p.entry.output, /the ingest host 127\.0\.0\.1:\d+ answers \(HTTP 405, no event sent\)/)
  t.same(
    fake.requests.map((r) => [r.method, r.url]),
    [['GET', '/api/4507123/envelope/']],
  )
  t.notOk(JSON.stringify(fake.requests[0].headers).includes(sentryKey.value), 'the key is not even sent')
  t.equal(p.entry.details.ingestStatus, 405)
  t.equal(p.entry.liveCheck, true)
  await p.poll()
  t.equal(fake.requests.length, 1)
  noSecrets(t, [sentryKey], { 'the response': p.body, 'the logs': p.logs.text() })
})

t.test('sentry: a DSN with a path prefix keeps it', async (t) => {
  t.match(parseDsn('https://abc@sentry.example.com/sentry/42'), {
    host: 'sentry.example.com',
    pathPrefix: '/sentry',
    projectId: '42',
  })
  t.equal(parseDsn('https://sentry.example.com/42'), null, 'no public key')
  t.equal(parseDsn('https://abc@sentry.example.com/project'), null, 'no numeric project id')
})

t.test('sentry: a malformed DSN is MISCONFIGURED with what to copy', async (t) => {
  const p = await probeCheck(t, sentry, { SENTRY_DSN: 'https://sentry.example.com/not-a-project' })
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
    const p = await probeCheck(t, sentry, {
      SENTRY_DSN: dsnFor(fake),
      SENTRY_CHECK_INGEST: 'true',
      HEALTH_TIMEOUT_MS: String(HANG_TIMEOUT_MS),
    })
    t.equal(p.entry.status, expect.status)
    t.equal(p.entry.reason, expect.reason)
    t.match(p.entry.output, expect.output)
    t.ok(p.elapsedMs < HANG_TIMEOUT_MS + MARGIN_MS, 'within the timeout plus a margin')
    await p.poll()
    t.equal(fake.requests.length, 1)
    noSecrets(t, [sentryKey], { 'the response': p.body })
    if (mode === 'hang') {
      await fake.allSocketsClosed()
      t.equal(fake.openSockets(), 0)
    }
  })
}

for (const [what, status, body] of [
  ['a 200 page', 200, '<!doctype html><html><body>Welcome</body></html>'],
  ['a 404', 404, '<html>Not Found</html>'],
] as const) {
  t.test(`sentry: ${what} from the DSN host is not Sentry's ingest: BAD_RESPONSE naming SENTRY_DSN`, async (t) => {
    const fake = await startFake((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/html' })
      res.end(body)
    })
    t.teardown(() => fake.close())
    const p = await probeCheck(t, sentry, { SENTRY_DSN: dsnFor(fake), SENTRY_CHECK_INGEST: 'true' })
    t.equal(p.entry.status, 'fail')
    t.equal(p.entry.reason, 'BAD_RESPONSE')
    t.match(p.entry.output, new RegExp(`answered ${status} .*not the 405 of Sentry's ingest.*SENTRY_DSN`))
  })
}

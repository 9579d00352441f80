import type { Test } from 'tap'
import pino from 'pino'
import { findingsOf, goodApp, testConfig } from '../helpers.js'
import type { SettingName } from '../../../src/config.js'
import { probeCheck } from '../probe.js'
import { noSecrets } from '../secrets.js'
import { json, startFake, type Fake, type FakeHandler, type RecordedRequest } from './http.js'
import type { CheckDefinition } from '../../../src/checks/types.js'
import type { ServerResponse } from 'node:http'

// A provider as the shared cases see it: its check, a fake that answers as the provider's docs say,
// and the settings for a known and for a rejected client.
export interface Provider {
  def: CheckDefinition
  urlSetting: string
  // the value of urlSetting for a fake
  url(fake: Fake): string
  handler: FakeHandler
  good: Record<string, string>
  bad: Record<string, string>
  // every secret value of good and bad, each unique
  secrets: string[]
  passOutput: RegExp
  badOutput: RegExp
  // redirect URI setting and provider path, for the checks that own one
  redirect?: { setting: string; provider: string }
}

export const APP_URL = 'http://app.example.test'

export type Mode = 'provider' | 'rate-limited' | 'server-error' | 'hang'

export function modal(p: Provider, mode: Mode): FakeHandler {
  if (mode === 'rate-limited') return (_req, res) => json(res, 429, { error: 'rate_limited', message: 'Too Many Requests' }, { 'retry-after': '120' })
  if (mode === 'server-error') return (_req, res) => json(res, 500, { error: 'server_error' })
  if (mode === 'hang') return () => 'hang'
  return p.handler
}

export function form(req: RecordedRequest): URLSearchParams {
  return new URLSearchParams(req.body)
}

export function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  json(res, status, body, headers)
}

// Starts the provider's fake (as the mode or handler says) and probes the check against it.
export async function probeProvider(t: Test, p: Provider, opts: { mode?: Mode; handler?: FakeHandler; env?: Record<string, string | undefined>; bad?: boolean } = {}) {
  const fake = await startFake(opts.handler ?? modal(p, opts.mode ?? 'provider'))
  t.teardown(() => fake.close())
  const env = { NEXT_PUBLIC_APP_URL: APP_URL, HEALTH_MIN_PROBE_INTERVAL_MS: '0', ...p.good, ...(opts.bad ? p.bad : {}), [p.urlSetting]: p.url(fake), ...opts.env }
  return { fake, ...(await probeCheck(t, p.def, env)) }
}

// The valid, invalid, rate-limited, server-error and hanging cases every token-endpoint check must pass.
export function standardCases(tap: Test, p: Provider): void {
  const name = p.def.name

  tap.test(`${name}: valid credentials pass, with exactly one request however often /health is polled`, async (t) => {
    const { res, entry, fake, poll, logs, app } = await probeProvider(t, p)
    t.equal(res.statusCode, 200)
    t.equal(entry.status, 'pass')
    t.equal(entry.liveCheck, true)
    t.match(entry.output, p.passOutput)
    t.notOk(entry.reason)
    await poll(20)
    const text = (await app.inject(`/health/${name}?verbose`)).body
    t.equal(fake.requests.length, 1, 'one request per cache lifetime')
    t.equal(app.health.runner.probeCount(name), 1)
    noSecrets(t, p.secrets, { body: res.body, text, logs: logs.text(), details: JSON.stringify(entry.details ?? {}) })
  })

  tap.test(`${name}: rejected credentials fail with AUTH_FAILED naming the setting, and the secret appears nowhere`, async (t) => {
    const { res, entry, fake, poll, logs, app } = await probeProvider(t, p, { bad: true })
    t.equal(res.statusCode, 503)
    t.equal(entry.status, 'fail')
    t.equal(entry.reason, 'AUTH_FAILED')
    t.match(entry.output, p.badOutput)
    await poll(5)
    const text = (await app.inject(`/health/${name}?verbose`)).body
    t.match(text, /AUTH_FAILED/)
    t.equal(fake.requests.length, 1, 'a failure is cached too: no retry storm')
    noSecrets(t, p.secrets, { body: res.body, text, logs: logs.text() })
  })

  tap.test(`${name}: the check itself leaks no secret, even without the output scrubber`, async (t) => {
    const fake = await startFake(p.handler)
    t.teardown(() => fake.close())
    const config = testConfig({ NEXT_PUBLIC_APP_URL: APP_URL, ...p.good, ...p.bad, [p.urlSetting]: p.url(fake) })
    const probeImpl = await p.def.start!({ config, log: pino({ level: 'silent' }), sanitize: (s) => s, timeoutMs: 2000 })
    t.teardown(() => probeImpl.close?.())
    const err = await probeImpl.run(new AbortController().signal).then(
      () => undefined,
      (e: Error & { extra?: unknown }) => e,
    )
    t.ok(err, 'the rejected credentials throw')
    noSecrets(t, p.secrets, { message: String(err?.message), extra: JSON.stringify(err?.extra ?? {}) })
  })

  tap.test(`${name}: 429 with Retry-After is a warn RATE_LIMITED, and no request is sent before Retry-After passes`, async (t) => {
    // a one-millisecond cache: only Retry-After can be what holds the probes back
    const { res, entry, fake, poll, json } = await probeProvider(t, p, { mode: 'rate-limited', env: { HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1' } })
    t.equal(res.statusCode, 200, 'a rate limit is not an outage')
    t.equal(entry.status, 'warn')
    t.equal(entry.reason, 'RATE_LIMITED')
    t.match(entry.output, /429.*next probe in 120s/)
    t.ok(Date.parse(entry.expires) - Date.parse(entry.time) >= 119_000, 'the result lives until Retry-After')
    t.equal(json.status, 'warn')
    await poll(5)
    await poll(5, '?fresh')
    t.equal(fake.requests.length, 1, 'nothing is sent before Retry-After')
  })

  tap.test(`${name}: a 500 is UPSTREAM_ERROR`, async (t) => {
    const { res, entry, fake } = await probeProvider(t, p, { mode: 'server-error' })
    t.equal(res.statusCode, 503)
    t.equal(entry.status, 'fail')
    t.equal(entry.reason, 'UPSTREAM_ERROR')
    t.match(entry.output, /answered 500: a server error on their side/)
    t.equal(fake.requests.length, 1)
  })

  tap.test(`${name}: a provider that never answers is TIMEOUT at the timeout, and the socket is closed`, async (t) => {
    const { entry, fake, elapsedMs } = await probeProvider(t, p, { mode: 'hang', env: { HEALTH_TIMEOUT_MS: '300' } })
    t.equal(entry.status, 'fail')
    t.equal(entry.reason, 'TIMEOUT')
    t.match(entry.output, /no answer within 300ms/)
    t.ok(elapsedMs >= 290 && elapsedMs < 300 + 250, `answered at the timeout (${Math.round(elapsedMs)}ms)`)
    t.equal(fake.requests.length, 1)
    await fake.allSocketsClosed()
    t.equal(fake.openSockets(), 0, 'the cancelled request closed its socket')
  })

  tap.test(`${name}: nothing listening is REFUSED`, async (t) => {
    const fake = await startFake(p.handler)
    const url = p.url(fake)
    await fake.close()
    const { entry } = await probeCheck(t, p.def, { NEXT_PUBLIC_APP_URL: APP_URL, ...p.good, [p.urlSetting]: url })
    t.equal(entry.status, 'fail')
    t.equal(entry.reason, 'REFUSED')
    t.match(entry.output, /connection refused 127\.0\.0\.1:\d+/)
  })

  const redirect = p.redirect
  if (!redirect) return
  const expected = `${APP_URL}/auth/${redirect.provider}/callback`

  tap.test(`${name}: a redirect URI off the app's callback path is reported through the check, naming the setting and the expected URI`, async (t) => {
    const { entry, fake } = await probeProvider(t, p, { env: { [redirect.setting]: `${APP_URL}/callback/${redirect.provider}` } })
    t.equal(entry.status, 'warn')
    t.equal(entry.reason, 'MISCONFIGURED')
    t.match(entry.output, new RegExp(`${redirect.setting} has the wrong path /callback/${redirect.provider}; expected ${expected.replace(/\./g, '\\.')}`))
    t.match(entry.findings, [{ setting: redirect.setting, problem: 'invalid' }])
    t.equal(fake.requests.length, 1, 'the credentials are still proven')
  })

  tap.test(`${name}: a redirect URI on another origin is reported`, async (t) => {
    const { entry } = await probeProvider(t, p, { env: { [redirect.setting]: `https://other.example.test/auth/${redirect.provider}/callback` } })
    t.equal(entry.status, 'warn')
    t.match(entry.output, new RegExp(`${redirect.setting} is not on the app's origin \\(NEXT_PUBLIC_APP_URL http://app\\.example\\.test\\)`))
  })

  tap.test(`${name}: in production the redirect URI must be https`, async (t) => {
    const { entry } = await probeProvider(t, p, { env: { NODE_ENV: 'production' } })
    t.equal(entry.status, 'warn')
    t.match(entry.output, new RegExp(`${redirect.setting} must be https in production`))
    const https = await probeProvider(t, p, { env: { NODE_ENV: 'production', NEXT_PUBLIC_APP_URL: 'https://app.example.test', [redirect.setting]: `https://app.example.test/auth/${redirect.provider}/callback` } })
    t.equal(https.entry.status, 'pass', 'the exact https callback on the app origin passes')
  })
}

// The redirect URI rule of an OAuth check on its own: the app origin plus the provider's callback path, exactly.
export function redirectRuleCases(tap: Test, def: CheckDefinition, name: SettingName, provider: string): void {
  tap.test(`${provider}: the redirect URI must be the app origin plus the provider callback path`, async (t) => {
    const ok = `https://app.huntaze.com/auth/${provider}/callback`
    t.same(findingsOf(def, testConfig({ NODE_ENV: 'production', ...goodApp, [name]: ok })), [], `${provider}: exact match`)
    for (const [what, uri] of [
      ['wrong path', `https://app.huntaze.com/auth/${provider}/cb`],
      ['other origin', `https://other.example.com/auth/${provider}/callback`],
      ['trailing slash', `${ok}/`],
      ['query string', `${ok}?next=1`],
    ]) {
      const found = findingsOf(def, testConfig({ NODE_ENV: 'production', ...goodApp, [name]: uri }))
      t.equal(found.length, 1, `${provider}: ${what}`)
      t.equal(found[0]?.setting, name)
      t.match(found[0]?.message, `/auth/${provider}/callback`, 'says which URI is expected')
    }
    const noApp = findingsOf(def, testConfig({ NODE_ENV: 'production', [name]: ok }))
    t.match(noApp[0]?.message, /NEXT_PUBLIC_APP_URL/, `${provider}: missing app URL`)
    const plain = findingsOf(def, testConfig({ NODE_ENV: 'production', NEXT_PUBLIC_APP_URL: 'http://app.huntaze.com', [name]: `http://app.huntaze.com/auth/${provider}/callback` }))
    t.match(plain[0]?.message, /https in production/, `${provider}: http in production`)
    t.same(findingsOf(def, testConfig({ NODE_ENV: 'development', NEXT_PUBLIC_APP_URL: 'http://localhost:3000', [name]: `http://localhost:3000/auth/${provider}/callback` })), [], `${provider}: http in development`)
    t.same(findingsOf(def, testConfig({ NODE_ENV: 'production', ...goodApp })), [], `${provider}: unset is the missing finding's business`)
  })
}

import type { Test } from 'tap'
import { findingsOf, goodApp, testConfig } from '../helpers.js'
import type { Mode, Provider } from '../provider-cases.js'
import type { SettingName } from '../../../src/config.js'
import { probeCheck } from '../probe.js'
import { json, startFake, type Fake, type FakeHandler, type RecordedRequest } from './http.js'
import type { CheckDefinition } from '../../../src/checks/types.js'
import type { Clock } from '../../../src/engine/clock.js'
import type { ServerResponse } from 'node:http'

// An OAuth provider: its check, a fake that answers as the provider's docs say, and the settings for a known and for a
// rejected client.
export interface OAuthProvider {
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
  // a 200 close to the provider's documented answer that must still not pass
  nearMiss?: unknown
  // redirect URI setting and provider path, for the checks that own one
  redirect?: { setting: SettingName; provider: string }
}

export const APP_URL = 'http://app.example.test'

function modal(p: OAuthProvider, mode: Mode): FakeHandler {
  if (mode === 'ratelimit')
    return (_req, res) =>
      json(res, 429, { error: 'rate_limited', message: 'Too Many Requests' }, { 'retry-after': '120' })
  if (mode === 'error') return (_req, res) => json(res, 500, { error: 'server_error' })
  if (mode === 'hang') return () => 'hang'
  return p.handler
}

export function form(req: RecordedRequest): URLSearchParams {
  return new URLSearchParams(req.body)
}

export function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  json(res, status, body, headers)
}

const envFor = (p: OAuthProvider, fake: Fake, bad: boolean) => ({
  NEXT_PUBLIC_APP_URL: APP_URL,
  ...p.good,
  ...(bad ? p.bad : {}),
  [p.urlSetting]: p.url(fake),
})

// The provider as the standard cases see it.
export function asProvider(p: OAuthProvider): Provider {
  return {
    def: p.def,
    secrets: p.secrets,
    start: (mode) => startFake(modal(p, mode)),
    env: (fake, bad) => envFor(p, fake, bad),
    expect: {
      valid: { status: 'pass', output: p.passOutput },
      invalid: { status: 'fail', reason: 'AUTH_FAILED', output: p.badOutput },
      error: { status: 'fail', reason: 'UPSTREAM_ERROR', output: /answered 500: a server error on their side/ },
    },
    shape: { output: new RegExp(p.urlSetting), nearMiss: p.nearMiss },
  }
}

// Starts a fake that answers with the handler (the provider's own by default) and probes the check against it.
export async function probeProvider(
  t: Test,
  p: OAuthProvider,
  opts: { handler?: FakeHandler; env?: Record<string, string | undefined>; bad?: boolean; clock?: Clock } = {},
) {
  const fake = await startFake(opts.handler ?? p.handler)
  t.teardown(() => fake.close())
  return {
    fake,
    ...(await probeCheck(
      t,
      p.def,
      {
        HEALTH_MIN_PROBE_INTERVAL_MS: '0',
        ...envFor(p, fake, opts.bad ?? false),
        ...opts.env,
      },
      { clock: opts.clock },
    )),
  }
}

// The redirect URI of an OAuth check: its rule on its own (the app origin plus the provider's callback path, exactly),
// and what the check reports through the app.
export function redirectCases(tap: Test, p: OAuthProvider): void {
  const redirect = p.redirect
  if (!redirect) throw new Error(`${p.def.name} owns no redirect URI`)
  const { def } = p
  const { setting: name, provider } = redirect

  tap.test(`${provider}: the redirect URI must be the app origin plus the provider callback path`, async (t) => {
    const ok = `https://app.huntaze.com/auth/${provider}/callback`
    t.same(
      findingsOf(def, testConfig({ NODE_ENV: 'production', ...goodApp, [name]: ok })),
      [],
      `${provider}: exact match`,
    )
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
    const plain = findingsOf(
      def,
      testConfig({
        NODE_ENV: 'production',
        NEXT_PUBLIC_APP_URL: 'http://app.huntaze.com',
        [name]: `http://app.huntaze.com/auth/${provider}/callback`,
      }),
    )
    t.match(plain[0]?.message, /https in production/, `${provider}: http in production`)
    t.same(
      findingsOf(
        def,
        testConfig({
          NODE_ENV: 'development',
          NEXT_PUBLIC_APP_URL: 'http://localhost:3000',
          [name]: `http://localhost:3000/auth/${provider}/callback`,
        }),
      ),
      [],
      `${provider}: http in development`,
    )
    t.same(
      findingsOf(def, testConfig({ NODE_ENV: 'production', ...goodApp })),
      [],
      `${provider}: unset is the missing finding's business`,
    )
  })

  const expected = `${APP_URL}/auth/${redirect.provider}/callback`

  tap.test(
    `${def.name}: a redirect URI off the app's callback path is reported through the check, naming the setting and the expected URI`,
    async (t) => {
      const { entry, fake } = await probeProvider(t, p, {
        env: { [redirect.setting]: `${APP_URL}/callback/${redirect.provider}` },
      })
      t.equal(entry.status, 'warn')
      t.equal(entry.reason, 'MISCONFIGURED')
      t.match(
        entry.output,
        new RegExp(
          `${redirect.setting} has the wrong path /callback/${redirect.provider}; expected ${expected.replace(/\./g, '\\.')}`,
        ),
      )
      t.match(entry.findings, [{ setting: redirect.setting, problem: 'invalid' }])
      t.equal(fake.requests.length, 1, 'the credentials are still proven')
    },
  )

  tap.test(`${def.name}: a redirect URI on another origin is reported`, async (t) => {
    const { entry } = await probeProvider(t, p, {
      env: { [redirect.setting]: `https://other.example.test/auth/${redirect.provider}/callback` },
    })
    t.equal(entry.status, 'warn')
    t.match(
      entry.output,
      new RegExp(
        `${redirect.setting} is not on the app's origin \\(NEXT_PUBLIC_APP_URL http://app\\.example\\.test\\)`,
      ),
    )
  })

  tap.test(`${def.name}: in production the redirect URI must be https`, async (t) => {
    const { entry } = await probeProvider(t, p, { env: { NODE_ENV: 'production' } })
    t.equal(entry.status, 'warn')
    t.match(entry.output, new RegExp(`${redirect.setting} must be https in production`))
    const https = await probeProvider(t, p, {
      env: {
        NODE_ENV: 'production',
        NEXT_PUBLIC_APP_URL: 'https://app.example.test',
        [redirect.setting]: `https://app.example.test/auth/${redirect.provider}/callback`,
      },
    })
    t.equal(https.entry.status, 'pass', 'the exact https callback on the app origin passes')
  })
}

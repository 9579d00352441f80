import t from 'tap'
import { ManualClock } from '../support/clock.js'
import instagramCheck from '../../src/checks/instagram.js'
import {
  APP_URL,
  asProvider,
  form,
  probeProvider,
  redirectCases,
  reply,
  type OAuthProvider,
} from '../support/fakes/oauth.js'
import { standardCases } from '../support/provider-cases.js'
import { instagram, instagramGraph } from '../support/fakes/oauth-providers.js'

const p: OAuthProvider = {
  // a token answer documents token_type next to the token (RFC 6749 §5.1)
  nearMiss: { access_token: 'a-token-from-something-else' },
  def: instagramCheck,
  urlSetting: 'INSTAGRAM_GRAPH_URL',
  url: (fake) => fake.url,
  handler: instagramGraph,
  good: {
    INSTAGRAM_APP_ID: instagram.appId,
    INSTAGRAM_APP_SECRET: instagram.secret,
    NEXT_PUBLIC_INSTAGRAM_REDIRECT_URI: `${APP_URL}/auth/instagram/callback`,
  },
  bad: { INSTAGRAM_APP_SECRET: instagram.wrongSecret },
  secrets: [instagram.secret, instagram.wrongSecret],
  passOutput: /^INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET accepted: the Graph API granted an app access token$/,
  badOutput:
    /rejected INSTAGRAM_APP_SECRET for INSTAGRAM_APP_ID \(OAuthException 1: Error validating client secret\.\).*Meta app dashboard/,
  redirect: { setting: 'NEXT_PUBLIC_INSTAGRAM_REDIRECT_URI', provider: 'instagram' },
}

standardCases(t, asProvider(p))
redirectCases(t, p)

t.test('the secret travels in a form body, never in the URL where proxies log it', async (t) => {
  const { fake, entry } = await probeProvider(t, p)
  t.equal(entry.status, 'pass')
  const req = fake.requests[0]
  t.equal(req.method, 'POST')
  t.equal(req.url, '/oauth/access_token')
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.same(Object.fromEntries(form(req)), {
    client_id: instagram.appId,
    client_secret: instagram.secret,
    grant_type: 'client_credentials',
  })
  t.same(entry.details, { tokenType: 'bearer' }, 'the token (which is "<id>|<secret>" at Meta) is not reported')
})

t.test('an unknown app id is AUTH_FAILED naming INSTAGRAM_APP_ID (OAuthException 101)', async (t) => {
  const { entry } = await probeProvider(t, p, { env: { INSTAGRAM_APP_ID: '9999999999999' } })
  t.equal(entry.reason, 'AUTH_FAILED')
  t.match(
    entry.output,
    /does not know INSTAGRAM_APP_ID \(OAuthException 101: Error validating application\. Invalid application ID\.\)/,
  )
})

t.test("Graph's throttling codes (403 with code 4) are RATE_LIMITED, not an auth failure", async (t) => {
  const clock = new ManualClock()
  const { entry, res, poll, fake } = await probeProvider(t, p, {
    clock,
    handler: (_req, res) =>
      reply(res, 403, {
        error: {
          message: '(#4) Application request limit reached',
          type: 'OAuthException',
          code: 4,
          is_transient: true,
        },
      }),
    env: { HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1' },
  })
  t.equal(res.statusCode, 200)
  t.equal(entry.status, 'warn')
  t.equal(entry.reason, 'RATE_LIMITED')
  t.match(entry.output, /throttled, code 4.*next probe in 60s/)
  // past the 1 ms lifetime, far short of the Retry-After: only the wait can hold the probe back
  clock.advance(1000)
  await poll(3, '?fresh')
  t.equal(fake.requests.length, 1)
})

t.test('a 200 without a token is BAD_RESPONSE pointing at INSTAGRAM_GRAPH_URL', async (t) => {
  const { entry } = await probeProvider(t, p, { handler: (_req, res) => reply(res, 200, { ok: true }) })
  t.equal(entry.reason, 'BAD_RESPONSE')
  t.match(entry.output, /INSTAGRAM_GRAPH_URL/)
})

t.test('a malformed app id is reported and the live check still decides', async (t) => {
  const { entry } = await probeProvider(t, p, { env: { INSTAGRAM_APP_ID: 'not-a-number' } })
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'AUTH_FAILED')
  t.match(entry.output, /INSTAGRAM_APP_ID is malformed: expected digits only/)
})

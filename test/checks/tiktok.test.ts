import t from 'tap'
import tiktokCheck from '../../src/checks/tiktok.js'
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
import { tiktok, tiktokApi } from '../support/fakes/oauth-providers.js'

const p: OAuthProvider = {
  // a token answer documents token_type next to the token (RFC 6749 §5.1)
  nearMiss: { access_token: 'a-token-from-something-else' },
  def: tiktokCheck,
  urlSetting: 'TIKTOK_API_URL',
  url: (fake) => fake.url,
  handler: tiktokApi(),
  good: {
    TIKTOK_CLIENT_KEY: tiktok.clientKey,
    TIKTOK_CLIENT_SECRET: tiktok.secret,
    NEXT_PUBLIC_TIKTOK_REDIRECT_URI: `${APP_URL}/auth/tiktok/callback`,
  },
  bad: { TIKTOK_CLIENT_SECRET: tiktok.wrongSecret },
  secrets: [tiktok.secret, tiktok.wrongSecret],
  passOutput: /^TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET accepted: TikTok granted a client access token$/,
  badOutput:
    /TikTok rejected TIKTOK_CLIENT_KEY or TIKTOK_CLIENT_SECRET \(invalid_client "Client key or secret is incorrect\." log_id 20260101000000FAKE3\); copy both/,
  redirect: { setting: 'NEXT_PUBLIC_TIKTOK_REDIRECT_URI', provider: 'tiktok' },
}

standardCases(t, asProvider(p))
redirectCases(t, p)

t.test('POSTs the documented form to /v2/oauth/token/ and reports the token lifetime, not the token', async (t) => {
  const { fake, entry } = await probeProvider(t, p)
  const req = fake.requests[0]
  t.equal(req.method, 'POST')
  t.equal(req.url, '/v2/oauth/token/')
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.same(Object.fromEntries(form(req)), {
    client_key: tiktok.clientKey,
    client_secret: tiktok.secret,
    grant_type: 'client_credentials',
  })
  t.same(entry.details, { tokenType: 'Bearer', tokenExpiresInS: 7200 })
  t.notMatch(JSON.stringify(entry), /clt\./)
})

t.test('invalid_client is AUTH_FAILED whatever the HTTP status TikTok sends it with', async (t) => {
  for (const status of [200, 400, 401]) {
    const { entry } = await probeProvider(t, { ...p, handler: tiktokApi(status) }, { bad: true })
    t.equal(entry.reason, 'AUTH_FAILED', `invalid_client with ${status}`)
  }
})

t.test('unauthorized_client is a warning that the secret could not be proven', async (t) => {
  const { entry, res } = await probeProvider(t, p, {
    handler: (_req, res) =>
      reply(res, 400, {
        error: 'unauthorized_client',
        error_description: 'The client is not authorized to request a client access token.',
        log_id: '20260101000000FAKE4',
      }),
  })
  t.equal(res.statusCode, 200)
  t.equal(entry.status, 'warn')
  t.equal(entry.reason, 'FORBIDDEN')
  t.match(entry.output, /TikTok knows TIKTOK_CLIENT_KEY but will not grant.*TIKTOK_CLIENT_SECRET could not be proven/)
})

t.test("TikTok's rate_limit_exceeded error code is RATE_LIMITED", async (t) => {
  const { entry } = await probeProvider(t, p, {
    handler: (_req, res) =>
      reply(
        res,
        429,
        { error: 'rate_limit_exceeded', error_description: 'The API rate limit was exceeded.', log_id: 'x' },
        { 'retry-after': '30' },
      ),
  })
  t.equal(entry.reason, 'RATE_LIMITED')
  t.match(entry.output, /next probe in 30s/)
})

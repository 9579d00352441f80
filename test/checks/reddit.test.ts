import t from 'tap'
import { ManualClock } from '../support/clock.js'
import redditCheck from '../../src/checks/reddit.js'
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
import { reddit, redditApi } from '../support/fakes/oauth-providers.js'

const p: OAuthProvider = {
  // a token answer documents token_type next to the token (RFC 6749 §5.1)
  nearMiss: { access_token: 'a-token-from-something-else' },
  def: redditCheck,
  urlSetting: 'REDDIT_API_URL',
  url: (fake) => fake.url,
  handler: redditApi,
  good: {
    REDDIT_CLIENT_ID: reddit.clientId,
    REDDIT_CLIENT_SECRET: reddit.secret,
    REDDIT_USER_AGENT: reddit.userAgent,
    NEXT_PUBLIC_REDDIT_REDIRECT_URI: `${APP_URL}/auth/reddit/callback`,
  },
  bad: { REDDIT_CLIENT_SECRET: reddit.wrongSecret },
  secrets: [reddit.secret, reddit.wrongSecret, Buffer.from(`${reddit.clientId}:${reddit.secret}`).toString('base64')],
  passOutput: /^REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET accepted: Reddit granted an application-only token$/,
  badOutput:
    /Reddit answered 401: REDDIT_CLIENT_ID or REDDIT_CLIENT_SECRET was rejected; copy both from https:\/\/www\.reddit\.com\/prefs\/apps/,
  redirect: { setting: 'NEXT_PUBLIC_REDDIT_REDIRECT_URI', provider: 'reddit' },
}

standardCases(t, asProvider(p))
redirectCases(t, p)

t.test('authenticates with HTTP Basic and sends the configured User-Agent', async (t) => {
  const { fake, entry } = await probeProvider(t, p)
  t.equal(entry.status, 'pass')
  const req = fake.requests[0]
  t.equal(req.method, 'POST')
  t.equal(req.url, '/api/v1/access_token')
  t.equal(req.headers['user-agent'], reddit.userAgent, 'the fake received REDDIT_USER_AGENT')
  t.equal(req.headers.authorization, `Basic ${Buffer.from(`${reddit.clientId}:${reddit.secret}`).toString('base64')}`)
  t.same(Object.fromEntries(form(req)), { grant_type: 'client_credentials' }, 'the secret is not in the body either')
  t.same(entry.details, { tokenType: 'bearer', tokenExpiresInS: 86400 })
})

t.test("Reddit's X-Ratelimit-Reset (seconds) is honoured when there is no Retry-After", async (t) => {
  const clock = new ManualClock()
  const { entry, fake, poll } = await probeProvider(t, p, {
    clock,
    handler: (_req, res) =>
      reply(
        res,
        429,
        { message: 'Too Many Requests', error: 429 },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '240' },
      ),
    env: { HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1' },
  })
  t.equal(entry.reason, 'RATE_LIMITED')
  t.match(entry.output, /next probe in 240s/)
  // past the 1 ms lifetime, far short of the Retry-After: only the wait can hold the probe back
  clock.advance(1000)
  await poll(3, '?fresh')
  t.equal(fake.requests.length, 1)
})

t.test('a 403 (blocked user agent) is FORBIDDEN naming REDDIT_USER_AGENT', async (t) => {
  const { entry } = await probeProvider(t, p, {
    handler: (_req, res) => reply(res, 403, { message: 'Forbidden', error: 403 }),
  })
  t.equal(entry.reason, 'FORBIDDEN')
  t.match(entry.output, /REDDIT_USER_AGENT/)
})

t.test('an installed-app client (unsupported_grant_type) is FORBIDDEN naming the app type', async (t) => {
  const { entry } = await probeProvider(t, p, {
    handler: (_req, res) => reply(res, 200, { error: 'unsupported_grant_type' }),
  })
  t.equal(entry.reason, 'FORBIDDEN')
  t.match(entry.output, /"web app" or "script"/)
})

t.test('a user agent that breaks the format rule is reported', async (t) => {
  const { entry } = await probeProvider(t, p, { env: { REDDIT_USER_AGENT: 'node-fetch' } })
  t.equal(entry.status, 'warn')
  t.match(entry.output, /REDDIT_USER_AGENT is malformed: expected a descriptive user agent/)
})

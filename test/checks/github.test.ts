import t from 'tap'
import { ManualClock } from '../support/clock.js'
import githubCheck from '../../src/checks/github.js'
import { asProvider, form, probeProvider, reply, type OAuthProvider } from '../support/fakes/oauth.js'
import { standardCases } from '../support/provider-cases.js'
import { github, githubToken } from '../support/fakes/oauth-providers.js'

const p: OAuthProvider = {
  def: githubCheck,
  urlSetting: 'GITHUB_TOKEN_URL',
  url: (fake) => `${fake.url}/login/oauth/access_token`,
  handler: githubToken,
  good: { GITHUB_CLIENT_ID: github.clientId, GITHUB_CLIENT_SECRET: github.secret },
  bad: { GITHUB_CLIENT_SECRET: github.wrongSecret },
  secrets: [github.secret, github.wrongSecret],
  passOutput:
    /^GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET recognised: GitHub refused only the deliberately invalid code \(bad_verification_code\)$/,
  badOutput:
    /GitHub rejected GITHUB_CLIENT_ID or GITHUB_CLIENT_SECRET \(incorrect_client_credentials\); copy the client id/,
}

standardCases(t, asProvider(p))

t.test('asks for JSON and sends a deliberately invalid code in a form body', async (t) => {
  const { fake, entry } = await probeProvider(t, p)
  t.equal(entry.status, 'pass')
  const req = fake.requests[0]
  t.equal(req.method, 'POST')
  t.equal(req.url, '/login/oauth/access_token')
  t.match(req.headers.accept, /application\/json/)
  const body = Object.fromEntries(form(req))
  t.match(body.code, /invalid/)
  t.equal(body.client_id, github.clientId)
})

t.test('an unknown client id is AUTH_FAILED too (GitHub does not tell id from secret)', async (t) => {
  const { entry } = await probeProvider(t, p, { env: { GITHUB_CLIENT_ID: github.unknownClientId } })
  t.equal(entry.reason, 'AUTH_FAILED')
})

t.test("GitHub's 403 with X-RateLimit-Remaining 0 waits until X-RateLimit-Reset (an epoch second)", async (t) => {
  const reset = String(Math.floor(Date.now() / 1000) + 600)
  const clock = new ManualClock()
  const { entry, res, fake, poll } = await probeProvider(t, p, {
    clock,
    handler: (_req, res) =>
      reply(
        res,
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      ),
    env: { HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1' },
  })
  t.equal(res.statusCode, 200)
  t.equal(entry.reason, 'RATE_LIMITED')
  t.match(entry.output, /next probe in (59\d|600)s/)
  // past the 1 ms lifetime, far short of the Retry-After: only the wait can hold the probe back
  clock.advance(1000)
  await poll(3, '?fresh')
  t.equal(fake.requests.length, 1)
})

t.test('an endpoint that accepts the invalid code is not GitHub', async (t) => {
  const { entry } = await probeProvider(t, p, {
    handler: (_req, res) => reply(res, 200, { access_token: 'fake', token_type: 'bearer', scope: '' }),
  })
  t.equal(entry.reason, 'BAD_RESPONSE')
  t.match(entry.output, /GITHUB_TOKEN_URL/)
})

t.test('a 404 names GITHUB_TOKEN_URL', async (t) => {
  const { entry } = await probeProvider(t, p, { handler: (_req, res) => reply(res, 404, { error: 'Not Found' }) })
  t.equal(entry.reason, 'NOT_FOUND')
  t.match(entry.output, /check GITHUB_TOKEN_URL/)
})

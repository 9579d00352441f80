import t from 'tap'
import googleCheck from '../../src/checks/google.js'
import { APP_URL, asProvider, form, probeProvider, reply, type OAuthProvider } from '../support/fakes/oauth.js'
import { standardCases } from '../support/provider-cases.js'
import { google, googleToken } from '../support/fakes/oauth-providers.js'
import { probeCheck } from '../support/probe.js'

const p: OAuthProvider = {
  // Google answers its errors with 400 (RFC 6749 §5.2): one with 200 is not Google
  nearMiss: { error: 'invalid_grant', error_description: 'Bad Request' },
  def: googleCheck,
  urlSetting: 'GOOGLE_TOKEN_URL',
  url: (fake) => `${fake.url}/token`,
  handler: googleToken,
  good: { GOOGLE_CLIENT_ID: google.clientId, GOOGLE_CLIENT_SECRET: google.secret },
  bad: { GOOGLE_CLIENT_SECRET: google.wrongSecret },
  secrets: [google.secret, google.wrongSecret],
  passOutput:
    /^GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET recognised: Google refused only the deliberately invalid code \(invalid_grant\)$/,
  badOutput: /Google rejected GOOGLE_CLIENT_SECRET for GOOGLE_CLIENT_ID \(invalid_client "Unauthorized"\)/,
}

standardCases(t, asProvider(p))

t.test('exchanges a deliberately invalid code: a form POST that can grant nothing', async (t) => {
  const { fake, entry } = await probeProvider(t, p)
  t.equal(entry.details.grantError, 'invalid_grant')
  const req = fake.requests[0]
  t.equal(req.method, 'POST')
  t.equal(req.url, '/token')
  const body = Object.fromEntries(form(req))
  t.equal(body.grant_type, 'authorization_code')
  t.match(body.code, /invalid/)
  t.equal(body.client_id, google.clientId)
  t.equal(body.redirect_uri, `${APP_URL}/auth/google/callback`)
})

t.test('an unknown client id is AUTH_FAILED naming GOOGLE_CLIENT_ID', async (t) => {
  const { entry } = await probeProvider(t, p, { env: { GOOGLE_CLIENT_ID: google.unknownClientId } })
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'AUTH_FAILED')
  t.match(entry.output, /Google does not know GOOGLE_CLIENT_ID \(invalid_client "The OAuth client was not found\."\)/)
})

t.test('an endpoint that accepts the invalid code is not Google', async (t) => {
  const { entry } = await probeProvider(t, p, {
    handler: (_req, res) => reply(res, 200, { access_token: 'fake', token_type: 'Bearer' }),
  })
  t.equal(entry.reason, 'BAD_RESPONSE')
  t.match(entry.output, /GOOGLE_TOKEN_URL is not Google's token endpoint/)
})

t.test('an answer that tells nothing about the client is BAD_RESPONSE, not a pass', async (t) => {
  const { entry } = await probeProvider(t, p, {
    handler: (_req, res) =>
      reply(res, 400, { error: 'invalid_request', error_description: 'Missing parameter: redirect_uri' }),
  })
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'BAD_RESPONSE')
})

t.test('optional: skipped without its settings, and a malformed client id is reported', async (t) => {
  const { entry } = await probeCheck(t, googleCheck, {})
  t.equal(entry.status, 'skipped')
  const malformed = await probeProvider(t, p, { env: { GOOGLE_CLIENT_ID: 'fake-client-id' } })
  t.match(
    malformed.entry.output,
    /GOOGLE_CLIENT_ID is malformed: expected a client id ending in \.apps\.googleusercontent\.com/,
  )
})

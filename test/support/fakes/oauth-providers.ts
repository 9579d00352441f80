import type { FakeHandler } from './http.js'
import { form, reply } from './oauth.js'

// Loopback stand-ins for the providers' token endpoints, answering as their documentation shows.
// Every value here is a fake.

export const instagram = {
  appId: '1234567890123',
  secret: 'ig-secret-sentinel-0a1b2c3d4e5f',
  wrongSecret: 'ig-wrong-sentinel-9f8e7d6c5b4a',
}

// Meta: an app access token is literally "<app id>|<app secret>", one more reason never to echo it.
export const instagramGraph: FakeHandler = (req, res) => {
  const p = form(req)
  if (req.method !== 'POST' || !req.url.startsWith('/oauth/access_token'))
    return reply(res, 404, { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } })
  if (p.get('grant_type') !== 'client_credentials')
    return reply(res, 400, { error: { message: 'Invalid grant_type', type: 'OAuthException', code: 100 } })
  if (p.get('client_id') !== instagram.appId) {
    return reply(res, 400, {
      error: {
        message: 'Error validating application. Invalid application ID.',
        type: 'OAuthException',
        code: 101,
        fbtrace_id: 'AFakeTraceId1',
      },
    })
  }
  if (p.get('client_secret') !== instagram.secret) {
    return reply(res, 400, {
      error: {
        message: 'Error validating client secret.',
        type: 'OAuthException',
        code: 1,
        fbtrace_id: 'AFakeTraceId2',
      },
    })
  }
  reply(res, 200, { access_token: `${instagram.appId}|${instagram.secret}`, token_type: 'bearer' })
}

export const tiktok = {
  clientKey: 'awfakeclientkey0001',
  secret: 'tt-secret-sentinel-1b2c3d4e5f6a',
  wrongSecret: 'tt-wrong-sentinel-8e7d6c5b4a39',
}

// TikTok documents the body of an OAuth error ({error, error_description, log_id}) but not its status.
export function tiktokApi(errorStatus = 401): FakeHandler {
  return (req, res) => {
    const p = form(req)
    if (req.method !== 'POST' || req.url !== '/v2/oauth/token/')
      return reply(res, 404, { error: { code: 'not_found', message: 'not found', log_id: '20260101000000FAKE0' } })
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return reply(res, 400, {
        error: 'invalid_request',
        error_description: 'Only application/x-www-form-urlencoded is accepted.',
        log_id: '20260101000000FAKE1',
      })
    }
    if (p.get('grant_type') !== 'client_credentials') {
      return reply(res, 400, {
        error: 'invalid_request',
        error_description: 'The request parameters are malformed.',
        log_id: '20260101000000FAKE2',
      })
    }
    if (p.get('client_key') !== tiktok.clientKey || p.get('client_secret') !== tiktok.secret) {
      return reply(res, errorStatus, {
        error: 'invalid_client',
        error_description: 'Client key or secret is incorrect.',
        log_id: '20260101000000FAKE3',
      })
    }
    reply(res, 200, { access_token: 'clt.fakeClientAccessToken0001', expires_in: 7200, token_type: 'Bearer' })
  }
}

export const reddit = {
  clientId: 'fakeRedditClientId01',
  secret: 'rd-secret-sentinel-2c3d4e5f6a7b',
  wrongSecret: 'rd-wrong-sentinel-7d6c5b4a3928',
  userAgent: 'web:test.example.huntaze-health:v1.0.0 (by /u/example_user)',
}

// Reddit: client authentication by HTTP Basic only; a refusal is a bare 401.
export const redditApi: FakeHandler = (req, res) => {
  if (req.method !== 'POST' || req.url !== '/api/v1/access_token')
    return reply(res, 404, { message: 'Not Found', error: 404 })
  const expected = `Basic ${Buffer.from(`${reddit.clientId}:${reddit.secret}`).toString('base64')}`
  if (req.headers.authorization !== expected) return reply(res, 401, { message: 'Unauthorized', error: 401 })
  if (form(req).get('grant_type') !== 'client_credentials') return reply(res, 200, { error: 'unsupported_grant_type' })
  reply(res, 200, { access_token: 'fake-reddit-app-only-token', token_type: 'bearer', expires_in: 86400, scope: '*' })
}

export const google = {
  clientId: '123456789012-fakeclient.apps.googleusercontent.com',
  unknownClientId: '999999999999-nosuchclient.apps.googleusercontent.com',
  secret: 'GOCSPX-secret-sentinel-3d4e5f6a',
  wrongSecret: 'GOCSPX-wrong-sentinel-6c5b4a39',
}

// Google: the client is authenticated first (401 invalid_client), then the code is looked at (400 invalid_grant).
export const googleToken: FakeHandler = (req, res) => {
  const p = form(req)
  if (req.method !== 'POST')
    return reply(res, 405, { error: 'invalid_request', error_description: 'Method not allowed' })
  if (p.get('client_id') !== google.clientId)
    return reply(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' })
  if (p.get('client_secret') !== google.secret)
    return reply(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' })
  if (p.get('grant_type') !== 'authorization_code')
    return reply(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' })
  reply(res, 400, { error: 'invalid_grant', error_description: 'Malformed auth code.' })
}

export const github = {
  clientId: 'Ov23liFakeClientId01',
  unknownClientId: 'Ov23liNoSuchClient99',
  secret: 'gh-secret-sentinel-4e5f6a7b8c9d0e1f',
  wrongSecret: 'gh-wrong-sentinel-5b4a3928f7e6d5c4',
}

// GitHub answers its token errors with 200, as JSON only when asked with Accept: application/json.
export const githubToken: FakeHandler = (req, res) => {
  const p = form(req)
  const asJson = String(req.headers.accept ?? '').includes('application/json')
  const answer = (body: Record<string, string>) => {
    if (asJson) return reply(res, 200, body)
    res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' })
    res.end(new URLSearchParams(body).toString())
  }
  if (req.method !== 'POST') return reply(res, 404, { error: 'Not Found' })
  if (p.get('client_id') !== github.clientId || p.get('client_secret') !== github.secret) {
    return answer({
      error: 'incorrect_client_credentials',
      error_description: 'The client_id and/or client_secret passed are incorrect.',
      error_uri:
        'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials',
    })
  }
  answer({
    error: 'bad_verification_code',
    error_description: 'The code passed is incorrect or expired.',
    error_uri:
      'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
  })
}

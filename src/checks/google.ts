import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { describe, hasAccessToken, INVALID_CODE, oauthError, otherFailure, postForm } from './lib/oauth.js'

function callbackUrl(appUrl: string | undefined): string | undefined {
  try {
    return appUrl ? `${new URL(appUrl).origin}/auth/google/callback` : undefined
  } catch {
    return undefined
  }
}

export default defineCheck({
  name: 'google',
  tier: 'optional',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'The OAuth client is recognised by the token endpoint (an invalid grant is not an invalid client)',
  start(ctx) {
    const s = ctx.config.settings
    const url = s.GOOGLE_TOKEN_URL
    const redirect = callbackUrl(s.NEXT_PUBLIC_APP_URL)
    const params: Record<string, string> = {
      grant_type: 'authorization_code',
      code: INVALID_CODE,
      client_id: s.GOOGLE_CLIENT_ID,
      client_secret: s.GOOGLE_CLIENT_SECRET,
      // Google asks for redirect_uri on a code exchange; any value will do, the code is refused anyway
      ...(redirect ? { redirect_uri: redirect } : {}),
    }
    return {
      async run(signal): Promise<Observation> {
        const res = await postForm(url, params, signal)
        // Google answers its OAuth errors with 400 or 401 (RFC 6749 §5.2): an error body with another status is not Google's
        const e = res.status === 400 || res.status === 401 ? oauthError(res) : {}
        // the client was authenticated before the code was looked at: the id and secret are right
        if (e.error === 'invalid_grant' || e.error === 'redirect_uri_mismatch') {
          return {
            output: `GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET recognised: Google refused only the deliberately invalid code (${e.error})`,
            details: { grantError: e.error },
          }
        }
        if (e.error === 'invalid_client') {
          if (/not found|deleted/i.test(e.description ?? '')) {
            throw new CheckError(
              Reason.AUTH_FAILED,
              `Google does not know GOOGLE_CLIENT_ID (${describe(e)}); check it in Google Cloud Console > APIs & Services > Credentials, it may have been deleted`,
            )
          }
          throw new CheckError(
            Reason.AUTH_FAILED,
            `Google rejected GOOGLE_CLIENT_SECRET for GOOGLE_CLIENT_ID (${describe(e)}); copy the secret of this client from Google Cloud Console > Credentials`,
          )
        }
        if (e.error === 'unauthorized_client') {
          throw new CheckError(
            Reason.FORBIDDEN,
            `Google knows GOOGLE_CLIENT_ID but it may not exchange authorization codes (${describe(e)}); use a client of type "Web application"`,
          )
        }
        if (hasAccessToken(res)) {
          throw new CheckError(
            Reason.BAD_RESPONSE,
            "the endpoint accepted a deliberately invalid code: GOOGLE_TOKEN_URL is not Google's token endpoint (default https://oauth2.googleapis.com/token)",
          )
        }
        if (e.error && res.status >= 400 && res.status < 500 && res.status !== 429) {
          throw new CheckError(
            Reason.BAD_RESPONSE,
            `Google answered ${res.status} ${describe(e)}, which does not tell whether the client is known; check GOOGLE_TOKEN_URL`,
          )
        }
        throw otherFailure(res, 'Google', 'GOOGLE_TOKEN_URL')
      },
    }
  },
})

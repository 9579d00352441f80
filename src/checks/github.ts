import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { describe, hasAccessToken, INVALID_CODE, oauthError, otherFailure, postForm, rateLimited } from './lib/oauth.js'

export default defineCheck({
  name: 'github',
  tier: 'optional',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'The OAuth client is recognised by the token endpoint (an invalid code is not an invalid client)',
  start(ctx) {
    const s = ctx.config.settings
    const url = s.GITHUB_TOKEN_URL
    const params = { client_id: s.GITHUB_CLIENT_ID, client_secret: s.GITHUB_CLIENT_SECRET, code: INVALID_CODE }
    return {
      async run(signal): Promise<Observation> {
        // without Accept: application/json GitHub answers form-encoded
        const res = await postForm(url, params, signal, { accept: 'application/json' })
        const e = oauthError(res)
        // GitHub documents these errors with 200
        if (res.status === 200 && e.error === 'bad_verification_code') {
          return {
            output: `GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET recognised: GitHub refused only the deliberately invalid code (${e.error})`,
            details: { grantError: e.error },
          }
        }
        if (e.error === 'incorrect_client_credentials') {
          throw new CheckError(
            Reason.AUTH_FAILED,
            `GitHub rejected GITHUB_CLIENT_ID or GITHUB_CLIENT_SECRET (${e.error}); copy the client id and generate a new secret under Settings > Developer settings > OAuth Apps`,
          )
        }
        if (
          (res.status === 403 || res.status === 429) &&
          (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.get('retry-after'))
        ) {
          throw rateLimited('GitHub', res)
        }
        if (hasAccessToken(res)) {
          throw new CheckError(
            Reason.BAD_RESPONSE,
            "the endpoint accepted a deliberately invalid code: GITHUB_TOKEN_URL is not GitHub's token endpoint (default https://github.com/login/oauth/access_token)",
          )
        }
        if (res.status === 200) {
          throw new CheckError(
            Reason.BAD_RESPONSE,
            `GitHub answered ${e.error ? describe(e) : 'something else than an OAuth error'}, which does not tell whether the client is known; check GITHUB_TOKEN_URL`,
          )
        }
        throw otherFailure(res, 'GitHub', 'GITHUB_TOKEN_URL')
      },
    }
  },
})

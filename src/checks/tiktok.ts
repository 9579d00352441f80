import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { joinUrl } from './lib/http.js'
import { redirectUri } from './lib/rules.js'
import { describe, granted, oauthError, otherFailure, postForm, rateLimited } from './lib/oauth.js'

export default defineCheck({
  name: 'tiktok',
  tier: 'important',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'The client key and secret are granted a client-credentials token',
  validate: (config) => redirectUri(config, 'NEXT_PUBLIC_TIKTOK_REDIRECT_URI', 'tiktok'),
  start(ctx) {
    const s = ctx.config.settings
    const url = joinUrl(s.TIKTOK_API_URL, '/v2/oauth/token/')
    const params = {
      client_key: s.TIKTOK_CLIENT_KEY,
      client_secret: s.TIKTOK_CLIENT_SECRET,
      grant_type: 'client_credentials',
    }
    return {
      async run(signal): Promise<Observation> {
        const res = await postForm(url, params, signal, { 'cache-control': 'no-cache' })
        const e = oauthError(res)
        if (res.status === 200 && !e.error) {
          return granted(
            res,
            'TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET accepted: TikTok granted a client access token',
            { provider: 'TikTok', request: 'POST /v2/oauth/token/', setting: 'TIKTOK_API_URL' },
          )
        }
        // TikTok's OAuth errors carry {"error", "error_description", "log_id"}, whatever the status
        switch (e.error) {
          case 'invalid_client':
            throw new CheckError(
              Reason.AUTH_FAILED,
              `TikTok rejected TIKTOK_CLIENT_KEY or TIKTOK_CLIENT_SECRET (${describe(e)}); copy both from the app's Credentials section on developers.tiktok.com`,
            )
          case 'unauthorized_client':
            return {
              status: 'warn',
              reason: Reason.FORBIDDEN,
              output: `TikTok knows TIKTOK_CLIENT_KEY but will not grant this app a client access token (${describe(e)}), so TIKTOK_CLIENT_SECRET could not be proven this way`,
            }
          case 'rate_limit_exceeded':
            throw rateLimited('TikTok', res)
          case 'server_error':
          case 'temporarily_unavailable':
            throw new CheckError(
              Reason.UPSTREAM_ERROR,
              `TikTok answered ${res.status}: a server error on their side (${describe(e)})`,
            )
          case 'invalid_request':
          case 'unsupported_grant_type':
            throw new CheckError(
              Reason.BAD_RESPONSE,
              `TikTok refused the request (${describe(e)}); is TIKTOK_API_URL the TikTok API?`,
            )
        }
        throw otherFailure(res, 'TikTok', 'TIKTOK_API_URL')
      },
    }
  },
})

import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { joinUrl } from './lib/http.js'
import { redirectUri } from './lib/rules.js'
import { describe, granted, oauthError, otherFailure, postForm } from './lib/oauth.js'

export default defineCheck({
  name: 'reddit',
  tier: 'important',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'The client id and secret are granted a client-credentials token',
  validate: (config) => redirectUri(config, 'NEXT_PUBLIC_REDDIT_REDIRECT_URI', 'reddit'),
  start(ctx) {
    const s = ctx.config.settings
    const url = joinUrl(s.REDDIT_API_URL, '/api/v1/access_token')
    // Reddit authenticates the client with HTTP Basic only, and throttles or blocks generic user agents
    const basic = Buffer.from(`${s.REDDIT_CLIENT_ID}:${s.REDDIT_CLIENT_SECRET}`).toString('base64')
    const headers = { authorization: `Basic ${basic}`, 'user-agent': s.REDDIT_USER_AGENT }
    return {
      async run(signal): Promise<Observation> {
        const res = await postForm(url, { grant_type: 'client_credentials' }, signal, headers)
        const e = oauthError(res)
        if (res.status === 200 && !e.error) {
          return granted(
            res,
            'REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET accepted: Reddit granted an application-only token',
            { provider: 'Reddit', request: 'POST /api/v1/access_token', setting: 'REDDIT_API_URL' },
          )
        }
        if (res.status === 401) {
          throw new CheckError(
            Reason.AUTH_FAILED,
            'Reddit answered 401: REDDIT_CLIENT_ID or REDDIT_CLIENT_SECRET was rejected; copy both from https://www.reddit.com/prefs/apps (the id is under the app name)',
          )
        }
        if (e.error === 'unauthorized_client' || e.error === 'unsupported_grant_type') {
          throw new CheckError(
            Reason.FORBIDDEN,
            `Reddit refused client credentials for REDDIT_CLIENT_ID (${describe(e)}): the app must be of type "web app" or "script", not "installed app"`,
          )
        }
        if (res.status === 403) {
          throw new CheckError(
            Reason.FORBIDDEN,
            'Reddit answered 403: the request was blocked; Reddit blocks generic user agents, so check that REDDIT_USER_AGENT is descriptive and unique, and that REDDIT_API_URL is right',
          )
        }
        if (res.status === 200)
          throw new CheckError(Reason.BAD_RESPONSE, `Reddit refused the token request (${describe(e)})`)
        throw otherFailure(res, 'Reddit', 'REDDIT_API_URL')
      },
    }
  },
})

import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { joinUrl, type HttpAnswer } from './lib/http.js'
import { redirectUri } from './lib/rules.js'
import { granted, otherFailure, postForm, rateLimited } from './lib/oauth.js'
import { quote } from './lib/quote.js'

interface GraphError {
  type?: string
  code?: number
  subcode?: number
  message?: string
}

function graphError(res: HttpAnswer): GraphError | undefined {
  const e = (res.json as { error?: unknown } | undefined)?.error
  if (!e || typeof e !== 'object') return undefined
  const r = e as Record<string, unknown>
  return {
    type: typeof r.type === 'string' ? r.type.slice(0, 40) : undefined,
    code: typeof r.code === 'number' ? r.code : undefined,
    subcode: typeof r.error_subcode === 'number' ? r.error_subcode : undefined,
    message: typeof r.message === 'string' ? quote(r.message.replace(/[^\x20-\x7e]+/g, ' '), 160) : undefined,
  }
}

// Graph's throttling codes (app, user, page, custom), which arrive as 400 or 403 rather than 429.
const throttled = new Set([4, 17, 32, 613])

export default defineCheck({
  name: 'instagram',
  tier: 'important',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'The app id and secret are granted an app access token',
  validate: (config) => redirectUri(config, 'NEXT_PUBLIC_INSTAGRAM_REDIRECT_URI', 'instagram'),
  start(ctx) {
    const s = ctx.config.settings
    const url = joinUrl(s.INSTAGRAM_GRAPH_URL, '/oauth/access_token')
    const params = {
      client_id: s.INSTAGRAM_APP_ID,
      client_secret: s.INSTAGRAM_APP_SECRET,
      grant_type: 'client_credentials',
    }
    return {
      async run(signal): Promise<Observation> {
        // Meta documents a GET with the secret in the query; Graph takes the same parameters as a form POST
        const res = await postForm(url, params, signal)
        if (res.status === 200) {
          return granted(
            res,
            'INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET accepted: the Graph API granted an app access token',
            { provider: 'the Graph API', request: 'POST /oauth/access_token', setting: 'INSTAGRAM_GRAPH_URL' },
          )
        }
        const e = graphError(res)
        if (e?.code !== undefined && throttled.has(e.code))
          throw rateLimited('the Graph API', res, `throttled, code ${e.code}`)
        if (e?.type === 'OAuthException' && e.code === 101) {
          throw new CheckError(
            Reason.AUTH_FAILED,
            `the Graph API does not know INSTAGRAM_APP_ID (OAuthException 101: ${e.message ?? 'invalid application id'}); copy the app id from the Meta app dashboard`,
          )
        }
        if (e?.type === 'OAuthException' && (e.code === 1 || /client secret/i.test(e.message ?? ''))) {
          throw new CheckError(
            Reason.AUTH_FAILED,
            `the Graph API rejected INSTAGRAM_APP_SECRET for INSTAGRAM_APP_ID (OAuthException ${e.code}: ${e.message ?? 'error validating client secret'}); copy the secret from the Meta app dashboard (App settings > Basic), or reset it there`,
          )
        }
        if (e?.code === 2)
          throw new CheckError(
            Reason.UPSTREAM_ERROR,
            `the Graph API answered ${res.status}: service temporarily unavailable (code 2)`,
          )
        if (
          e?.type === 'OAuthException' &&
          res.status >= 400 &&
          res.status < 500 &&
          res.status !== 404 &&
          res.status !== 429
        ) {
          throw new CheckError(
            Reason.AUTH_FAILED,
            `the Graph API refused the app credentials (${res.status} OAuthException ${e.code ?? ''}: ${e.message ?? 'no message'}); check INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET`,
          )
        }
        throw otherFailure(res, 'the Graph API', 'INSTAGRAM_GRAPH_URL')
      },
    }
  },
})

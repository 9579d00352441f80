import { httpFailure, httpRequest, joinUrl } from './lib/http.js'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck } from './types.js'
import { quote } from './lib/quote.js'

// Upstash's own error text (never the token) says what went wrong, e.g. a daily request limit.
function upstashError(json: unknown): string | undefined {
  const e = (json as { error?: unknown } | undefined)?.error
  return typeof e === 'string' ? quote(e, 200) : undefined
}

export default defineCheck({
  name: 'upstash',
  tier: 'important',
  componentType: 'datastore',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'An authenticated PING through the Upstash REST API answers PONG',
  start(ctx) {
    const s = ctx.config.settings
    const url = joinUrl(s.UPSTASH_REDIS_REST_URL, '')
    const headers = { authorization: `Bearer ${s.UPSTASH_REDIS_REST_TOKEN}`, 'content-type': 'application/json' }
    let host: string
    try {
      host = new URL(url).host
    } catch {
      throw new CheckError(
        Reason.MISCONFIGURED,
        'UPSTASH_REDIS_REST_URL is not a URL; copy the REST URL (https://<name>.upstash.io) from the Upstash console',
      )
    }
    return {
      async run(signal) {
        // the command as a JSON array in the body: the documented form that needs no URL encoding
        const res = await httpRequest(url, { method: 'POST', headers, body: '["PING"]', signal })
        if (res.status === 200 && (res.json as { result?: unknown } | undefined)?.result === 'PONG') {
          return { status: 'pass', output: `PING answered PONG at ${host}`, details: { host } }
        }
        const said = upstashError(res.json)
        if (res.status === 401) {
          throw new CheckError(
            Reason.AUTH_FAILED,
            `Upstash answered 401: UPSTASH_REDIS_REST_TOKEN was rejected by ${host}; copy the REST token (not the Redis password) of this database from the Upstash console`,
          )
        }
        const denied = said && /NOPERM(?:[^']*'([^']+)' command)?/.exec(said)
        if (denied) {
          throw new CheckError(
            Reason.FORBIDDEN,
            `Upstash at ${host} refused the ${denied[1] ? denied[1].toUpperCase() : 'PING'} command to UPSTASH_REDIS_REST_TOKEN: ${said}; give the token's ACL +ping (an ACL token of the Upstash console), or use the database's default REST token`,
          )
        }
        if (said && /limit/i.test(said)) {
          throw new CheckError(
            Reason.RATE_LIMITED,
            `Upstash refused the PING: ${said}; raise the plan's limit or wait for the quota to reset`,
            { retryAfterMs: 60_000 },
          )
        }
        if (res.status === 200 || res.status === 400) {
          throw new CheckError(
            Reason.BAD_RESPONSE,
            `Upstash at ${host} answered ${res.status} without PONG${said ? `: ${said}` : ''}; check that UPSTASH_REDIS_REST_URL is the database's REST URL`,
          )
        }
        throw httpFailure(res, 'Upstash', {
          forbidden: 'UPSTASH_REDIS_REST_TOKEN may not run PING (an ACL token without @connection)',
          notFound: 'UPSTASH_REDIS_REST_URL is not a database REST URL; copy it from the Upstash console',
        })
      },
    }
  },
})

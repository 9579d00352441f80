import { httpFailure, httpRequest, joinUrl, type HttpAnswer } from './lib/http.js'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { field, keeps } from './lib/shape.js'

function errorName(res: HttpAnswer): string | undefined {
  const name = (res.json as { name?: unknown } | undefined)?.name
  return typeof name === 'string' && /^[a-z_]{1,64}$/.test(name) ? name : undefined
}

export default defineCheck({
  name: 'resend',
  tier: 'optional',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'The key is accepted (listing domains, a read that sends nothing)',
  start(ctx) {
    const s = ctx.config.settings
    const url = joinUrl(s.RESEND_API_URL, '/domains')
    const headers = { authorization: `Bearer ${s.RESEND_API_KEY}`, accept: 'application/json' }
    const asked = { provider: 'Resend', request: 'GET /domains', setting: 'RESEND_API_URL' }
    return {
      async run(signal): Promise<Observation> {
        const res = await httpRequest(url, { headers, signal })
        const name = errorName(res)
        if (res.status === 200) {
          const { data } = keeps(res, { object: field.is('list'), data: field.array }, asked)
          const verified = data.filter((d) => (d as { status?: unknown } | null)?.status === 'verified').length
          return {
            status: 'pass',
            output: `RESEND_API_KEY accepted (full access); ${verified} of ${data.length} domains verified`,
            details: { access: 'full', domains: data.length, verifiedDomains: verified },
          }
        }
        // a sending-only key is refused on reads with this documented code: the key is valid, only narrower
        if (res.status === 401 && name === 'restricted_api_key') {
          return {
            status: 'warn',
            reason: Reason.INSUFFICIENT_SCOPE,
            output:
              'RESEND_API_KEY is a valid key restricted to sending emails: it lacks the read of domains this check uses, so whether the sending domains are verified is not proven; use a Full access key to have it checked',
            details: { access: 'sending' },
          }
        }
        if (res.status === 403 && name === 'invalid_api_key') {
          throw new CheckError(
            Reason.AUTH_FAILED,
            'Resend answered 403 invalid_api_key: RESEND_API_KEY is not a valid key; create one at https://resend.com/api-keys',
          )
        }
        throw httpFailure(res, 'Resend', {
          auth: `RESEND_API_KEY was not accepted${name ? ` (${name})` : ''}; set it to a key from https://resend.com/api-keys`,
          forbidden: `the request was refused${name ? ` (${name})` : ''}; check RESEND_API_URL and any egress proxy in between`,
          notFound: 'no /domains under RESEND_API_URL (default https://api.resend.com)',
        })
      },
    }
  },
})

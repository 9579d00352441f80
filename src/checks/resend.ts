import { httpFailure, httpRequest, joinUrl, type HttpAnswer } from './lib/http.js'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'

function errorName(res: HttpAnswer): string | undefined {
  const name = (res.json as { name?: unknown } | undefined)?.name
  return typeof name === 'string' && /^[a-z_]{1,64}$/.test(name) ? name : undefined
}

export default defineCheck({
  name: 'resend',
  tier: 'optional',
  componentType: 'component',
  live: true,
  cache: 'third-party',
  description: 'The key is accepted (listing domains, a read that sends nothing)',
  start(ctx) {
    const s = ctx.config.settings
    const url = joinUrl(s.RESEND_API_URL, '/domains')
    const headers = { authorization: `Bearer ${s.RESEND_API_KEY}`, accept: 'application/json' }
    return {
      async run(signal): Promise<Observation> {
        const res = await httpRequest(url, { headers, signal })
        const name = errorName(res)
        if (res.status === 200) {
          const data = (res.json as { data?: unknown } | undefined)?.data
          if (!Array.isArray(data)) throw new CheckError(Reason.BAD_RESPONSE, 'Resend answered 200 without a domain list: is RESEND_API_URL the Resend API?')
          const verified = data.filter((d) => (d as { status?: unknown } | null)?.status === 'verified').length
          return { status: 'pass', output: `RESEND_API_KEY accepted (full access); ${verified} of ${data.length} domains verified`, details: { access: 'full', domains: data.length, verifiedDomains: verified } }
        }
        // a sending-only key is refused on reads with this documented code: the key itself is valid
        if (res.status === 401 && name === 'restricted_api_key') {
          return { status: 'pass', output: 'RESEND_API_KEY is valid and restricted to sending emails (reads are refused, which is all this check needs)', details: { access: 'sending' } }
        }
        if (res.status === 403 && name === 'invalid_api_key') {
          throw new CheckError(Reason.AUTH_FAILED, 'Resend answered 403 invalid_api_key: RESEND_API_KEY is not a valid key; create one at https://resend.com/api-keys')
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

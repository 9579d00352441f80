import { httpFailure, httpRequest, joinUrl } from './lib/http.js'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck } from './types.js'
import { field, keeps } from './lib/shape.js'

// DATADOG_SITE is the site name (datadoghq.eu, us3.datadoghq.com); people also paste the app host.
export function datadogApiUrl(site: string, apiUrl: string | undefined): string {
  if (apiUrl) return joinUrl(apiUrl, '')
  return `https://api.${site.replace(/^(app|api)\./, '')}`
}

export default defineCheck({
  name: 'datadog',
  tier: 'optional',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'The API key is valid on the configured site (the key validation endpoint)',
  start(ctx) {
    const s = ctx.config.settings
    const base = datadogApiUrl(s.DATADOG_SITE, s.DATADOG_API_URL)
    const site = s.DATADOG_SITE
    const where = s.DATADOG_API_URL ? `DATADOG_API_URL ${base}` : `site ${site}`
    const asked = {
      provider: 'Datadog',
      request: 'GET /api/v1/validate',
      setting: s.DATADOG_API_URL ? 'DATADOG_API_URL' : 'DATADOG_SITE',
    }
    const headers = { 'dd-api-key': s.DATADOG_API_KEY, accept: 'application/json' }
    return {
      async run(signal) {
        const res = await httpRequest(joinUrl(base, '/api/v1/validate'), { headers, signal })
        if (res.status === 200) {
          // documented as {"valid": true}; anything but a boolean there is not Datadog's answer
          const { valid } = keeps(res, { valid: field.boolean }, asked)
          if (valid === true)
            return { status: 'pass', output: `DATADOG_API_KEY is valid on ${where}`, details: { site, api: base } }
          throw new CheckError(
            Reason.AUTH_FAILED,
            `Datadog answered valid=false: DATADOG_API_KEY is not a valid API key on ${where}`,
          )
        }
        if (res.status === 401 || res.status === 403) {
          throw new CheckError(
            Reason.AUTH_FAILED,
            `Datadog answered ${res.status}: DATADOG_API_KEY is not a valid API key on ${where}; use an API key (not an application key) from Organization Settings > API Keys, and set DATADOG_SITE to the site of that organization`,
          )
        }
        throw httpFailure(res, 'Datadog', {
          notFound: `no /api/v1/validate on ${where}; check DATADOG_SITE or DATADOG_API_URL`,
        })
      },
    }
  },
})

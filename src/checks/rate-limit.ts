import { parseBoolean } from '../formats.js'
import { defineCheck } from './types.js'

export default defineCheck({
  name: 'rate-limit',
  tier: 'important',
  componentType: 'component',
  live: false,
  cache: 'infrastructure',
  description: 'Rate limiting, when enabled, has the Upstash settings it needs',
  formatOnlyBecause: 'the Upstash connection itself is proven by the upstash check',
  validate(config) {
    const enabled = parseBoolean(config.settings.RATE_LIMIT_ENABLED, true)
    const missing = (['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'] as const).filter((n) => !config.present.has(n))
    if (!enabled || missing.length === 0) return []
    return [{ setting: 'RATE_LIMIT_ENABLED', problem: 'invalid', severity: 'warn', message: `rate limiting is enabled but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set: requests are not rate limited` }]
  },
  start: (ctx) => ({
    run: async () => ({ details: { enabled: parseBoolean(ctx.config.settings.RATE_LIMIT_ENABLED, true) } }),
  }),
})

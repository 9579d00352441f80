import { defineCheck } from './types.js'
import { httpsInProduction } from './lib/rules.js'

export default defineCheck({
  name: 'auth',
  tier: 'critical',
  componentType: 'component',
  live: false,
  cache: 'infrastructure',
  description: 'NextAuth and JWT settings are present and strong enough',
  formatOnlyBecause: 'these settings are secrets of the platform itself; there is nothing remote to ask',
  settings: ['NEXTAUTH_URL', 'NEXTAUTH_SECRET', 'JWT_SECRET', 'TOKEN_ENCRYPTION_KEY'],
  validate: (config) => httpsInProduction(config, ['NEXTAUTH_URL']),
})

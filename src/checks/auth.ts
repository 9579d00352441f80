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
  validate: (config) => httpsInProduction(config, ['NEXTAUTH_URL']),
})

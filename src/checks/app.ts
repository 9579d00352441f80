import { defineCheck } from './types.js'
import { httpsInProduction } from './lib/rules.js'

export default defineCheck({
  name: 'app',
  tier: 'critical',
  componentType: 'component',
  live: false,
  cache: 'infrastructure',
  description: "The app's URLs and environment are valid",
  formatOnlyBecause: "these settings describe the platform itself; there is nothing remote to ask",
  validate: (config) => httpsInProduction(config, ['NEXT_PUBLIC_APP_URL', 'APP_URL', 'API_URL', 'FRONTEND_URL', 'BACKEND_URL']),
})

import { defineCheck } from './types.js'

const because = 'OnlyFans publishes no API that can verify a key without acting on an account, so only the presence of ONLYFANS_API_KEY is checked'

export default defineCheck({
  name: 'onlyfans',
  tier: 'optional',
  componentType: 'component',
  live: false,
  cache: 'infrastructure',
  description: 'The API key is present (format only)',
  formatOnlyBecause: because,
})

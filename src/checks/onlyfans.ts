import { defineCheck } from './types.js'

export default defineCheck({
  name: 'onlyfans',
  tier: 'optional',
  componentType: 'component',
  kind: 'format-only',
  description: 'The API key is present',
  formatOnlyBecause: 'OnlyFans documents no endpoint that verifies a key',
  settings: ['ONLYFANS_API_KEY'],
})

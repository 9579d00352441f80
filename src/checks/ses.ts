import { defineCheck } from './types.js'

export default defineCheck({
  name: 'ses',
  tier: 'critical',
  componentType: 'system',
  kind: 'pending',
  description: 'The SES account answers: sending enabled, production access, quota use',
  settings: ['AWS_REGION', 'FROM_EMAIL'],
  requires: ['AWS_REGION'],
})

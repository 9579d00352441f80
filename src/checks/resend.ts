import { defineCheck } from './types.js'

export default defineCheck({
  name: 'resend',
  tier: 'optional',
  componentType: 'component',
  kind: 'pending',
  description: 'The key is accepted',
  settings: ['RESEND_API_KEY', 'RESEND_API_URL'],
})

import { defineCheck } from './types.js'

export default defineCheck({
  name: 'google',
  tier: 'optional',
  componentType: 'component',
  kind: 'pending',
  description: 'The OAuth client is recognised by the token endpoint',
  settings: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'GOOGLE_TOKEN_URL'],
})

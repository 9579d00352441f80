import { defineCheck } from './types.js'

export default defineCheck({
  name: 'github',
  tier: 'optional',
  componentType: 'component',
  kind: 'pending',
  description: 'The OAuth client is recognised by the token endpoint',
  settings: ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET', 'GITHUB_TOKEN_URL'],
})

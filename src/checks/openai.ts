import { defineCheck } from './types.js'

export default defineCheck({
  name: 'openai',
  tier: 'optional',
  componentType: 'component',
  kind: 'pending',
  description: 'The key is accepted (listing models)',
  settings: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
})

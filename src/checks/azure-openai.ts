import { defineCheck } from './types.js'

export default defineCheck({
  name: 'azure-openai',
  tier: 'critical',
  componentType: 'component',
  kind: 'pending',
  description: 'The key is accepted and the deployment exists',
  settings: ['AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_API_VERSION', 'AZURE_OPENAI_DEPLOYMENT', 'AZURE_OPENAI_BASE_URL'],
})

import { defineCheck } from './types.js'

export default defineCheck({
  name: 'datadog',
  tier: 'optional',
  componentType: 'component',
  kind: 'pending',
  description: 'The API key is valid (key validation endpoint)',
  settings: ['DATADOG_API_KEY', 'DATADOG_SITE', 'DATADOG_API_URL'],
})

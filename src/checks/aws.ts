import { defineCheck } from './types.js'

export default defineCheck({
  name: 'aws',
  tier: 'critical',
  componentType: 'system',
  kind: 'pending',
  description: 'The AWS credentials are accepted (STS GetCallerIdentity)',
  settings: ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'],
})

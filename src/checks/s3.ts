import { defineCheck } from './types.js'

export default defineCheck({
  name: 's3',
  tier: 'critical',
  componentType: 'system',
  kind: 'pending',
  description: 'The media bucket exists and is reachable with these credentials',
  settings: ['AWS_REGION', 'AWS_S3_BUCKET'],
})

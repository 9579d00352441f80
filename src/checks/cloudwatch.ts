import { defineCheck } from './types.js'

export default defineCheck({
  name: 'cloudwatch',
  tier: 'optional',
  componentType: 'system',
  kind: 'pending',
  description: 'The CloudWatch API answers; alarms in ALARM state are reported',
  settings: ['AWS_REGION'],
  configuredBy: ['AWS_REGION'],
})

import { defineCheck } from './types.js'

export default defineCheck({
  name: 'sqs',
  tier: 'important',
  componentType: 'system',
  kind: 'pending',
  description: 'Each queue answers its attributes; backlog and oldest message age',
  settings: ['AWS_REGION', 'AWS_SQS_QUEUE_URLS'],
})

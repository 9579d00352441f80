import { defineCheck } from './types.js'

export default defineCheck({
  name: 'eventbridge',
  tier: 'important',
  componentType: 'system',
  kind: 'pending',
  description: 'The event bus exists',
  settings: ['AWS_REGION', 'AWS_EVENTBRIDGE_BUS'],
})

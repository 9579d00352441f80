import { defineCheck } from './types.js'

export default defineCheck({
  name: 'upstash',
  tier: 'important',
  componentType: 'datastore',
  kind: 'pending',
  description: 'An authenticated PING through the Upstash REST API answers',
  settings: ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'],
})

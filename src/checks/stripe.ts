import { defineCheck } from './types.js'
import { stripeKeys } from './rules.js'

export default defineCheck({
  name: 'stripe',
  tier: 'critical',
  componentType: 'component',
  kind: 'pending',
  description: 'The secret key is accepted by a free read; keys of one mode',
  settings: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PUBLISHABLE_KEY', 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY', 'STRIPE_API_URL'],
  validate: stripeKeys,
})

import { defineCheck } from './types.js'

export default defineCheck({
  name: 'sentry',
  tier: 'optional',
  componentType: 'component',
  kind: 'pending',
  description: 'The DSN is well formed; optionally the ingest host answers',
  settings: ['SENTRY_DSN', 'SENTRY_AUTH_TOKEN', 'SENTRY_CHECK_INGEST'],
})

import { defineCheck } from './types.js'
import { redirectUri } from './rules.js'

export default defineCheck({
  name: 'reddit',
  tier: 'important',
  componentType: 'component',
  kind: 'pending',
  description: 'The client id and secret are granted a client-credentials token',
  settings: ['REDDIT_CLIENT_ID', 'REDDIT_CLIENT_SECRET', 'NEXT_PUBLIC_REDDIT_REDIRECT_URI', 'REDDIT_USER_AGENT', 'REDDIT_API_URL'],
  validate: (config) => redirectUri(config, 'NEXT_PUBLIC_REDDIT_REDIRECT_URI', 'reddit'),
})

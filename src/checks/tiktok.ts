import { defineCheck } from './types.js'
import { redirectUri } from './rules.js'

export default defineCheck({
  name: 'tiktok',
  tier: 'important',
  componentType: 'component',
  kind: 'pending',
  description: 'The client key and secret are granted a client-credentials token',
  settings: ['TIKTOK_CLIENT_KEY', 'TIKTOK_CLIENT_SECRET', 'NEXT_PUBLIC_TIKTOK_REDIRECT_URI', 'TIKTOK_API_URL'],
  validate: (config) => redirectUri(config, 'NEXT_PUBLIC_TIKTOK_REDIRECT_URI', 'tiktok'),
})

import { defineCheck } from './types.js'
import { redirectUri } from './rules.js'

export default defineCheck({
  name: 'instagram',
  tier: 'important',
  componentType: 'component',
  kind: 'pending',
  description: 'The app id and secret are granted an app access token',
  settings: ['INSTAGRAM_APP_ID', 'INSTAGRAM_APP_SECRET', 'NEXT_PUBLIC_INSTAGRAM_REDIRECT_URI', 'INSTAGRAM_GRAPH_URL'],
  validate: (config) => redirectUri(config, 'NEXT_PUBLIC_INSTAGRAM_REDIRECT_URI', 'instagram'),
})

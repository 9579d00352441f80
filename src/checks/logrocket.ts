import { defineCheck } from './types.js'

export default defineCheck({
  name: 'logrocket',
  tier: 'optional',
  componentType: 'component',
  kind: 'format-only',
  description: 'The app id is of the form org/app',
  formatOnlyBecause: 'LogRocket app ids are public identifiers with no verification endpoint',
  settings: ['LOGROCKET_APP_ID'],
})

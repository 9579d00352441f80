import { defineCheck } from './types.js'

const because = 'a LogRocket app id is a public identifier with no verification endpoint, so only its org/app form is checked'

export default defineCheck({
  name: 'logrocket',
  tier: 'optional',
  componentType: 'component',
  live: false,
  cache: 'infrastructure',
  description: 'The app id is of the form org/app (format only)',
  formatOnlyBecause: because,
})

import { defineCheck } from './types.js'

const because = 'OnlyFans publishes no API that can verify a key without acting on an account, so only the presence of ONLYFANS_API_KEY is checked'

export default defineCheck({
  name: 'onlyfans',
  tier: 'optional',
  componentType: 'component',
  kind: 'format-only',
  description: 'The API key is present (format only)',
  formatOnlyBecause: because,
  settings: ['ONLYFANS_API_KEY'],
  // no I/O: the probe only makes a passing result say why nothing was proven live (the runner says it otherwise)
  start: (ctx) => ({ run: async () => (ctx.config.findings.has('ONLYFANS_API_KEY') ? {} : { output: `format only: ${because}` }) }),
})

import { defineCheck } from './types.js'

export default defineCheck({
  name: 'smtp',
  tier: 'optional',
  componentType: 'component',
  kind: 'pending',
  description: 'The server greets, negotiates TLS where offered and accepts the login',
  settings: ['SMTP_HOST', 'SMTP_PORT', 'SMTP_USER', 'SMTP_PASSWORD', 'SMTP_FROM'],
})

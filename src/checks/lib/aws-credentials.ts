import type { Config, Finding, Settings } from '../../config.js'
import { formats } from '../../formats.js'

// The expiry of static session credentials; a malformed value is a finding and is not used.
export function staticExpiration(settings: Readonly<Settings>): Date | undefined {
  const raw = settings.AWS_CREDENTIAL_EXPIRATION
  if (!raw || !settings.AWS_SESSION_TOKEN || !settings.AWS_ACCESS_KEY_ID || !settings.AWS_SECRET_ACCESS_KEY) return undefined
  return formats['iso-date-time'](raw) === null ? new Date(raw) : undefined
}

// Half a key pair cannot sign anything, and silently falling back to the provider chain would hide the mistake.
export function credentialProblem(settings: Readonly<Settings>): string | undefined {
  const id = Boolean(settings.AWS_ACCESS_KEY_ID)
  const secret = Boolean(settings.AWS_SECRET_ACCESS_KEY)
  if (id && !secret) return 'AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY: set both, or neither to use the IAM role (default provider chain)'
  if (secret && !id) return 'AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID: set both, or neither to use the IAM role (default provider chain)'
  return undefined
}

export function credentialFindings(config: Config): Finding[] {
  const s = config.settings
  const findings: Finding[] = []
  const problem = credentialProblem(s)
  if (problem) {
    findings.push({ setting: s.AWS_ACCESS_KEY_ID ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID', problem: 'missing', message: problem, severity: 'fail' })
  }
  if (s.AWS_SESSION_TOKEN && !s.AWS_ACCESS_KEY_ID && !s.AWS_SECRET_ACCESS_KEY) {
    findings.push({ setting: 'AWS_SESSION_TOKEN', problem: 'invalid', message: 'AWS_SESSION_TOKEN is set without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, so it is ignored', severity: 'warn' })
  }
  if (s.AWS_ACCESS_KEY_ID?.startsWith('ASIA') && !s.AWS_SESSION_TOKEN) {
    findings.push({ setting: 'AWS_SESSION_TOKEN', problem: 'missing', message: 'AWS_ACCESS_KEY_ID is a temporary key id, which needs AWS_SESSION_TOKEN: set it, or use long-term keys or an IAM role', severity: 'fail' })
  }
  if (s.AWS_CREDENTIAL_EXPIRATION && !s.AWS_SESSION_TOKEN) {
    findings.push({
      setting: 'AWS_CREDENTIAL_EXPIRATION',
      problem: 'invalid',
      message: 'AWS_CREDENTIAL_EXPIRATION is set without AWS_SESSION_TOKEN, so it is ignored: only session credentials expire; remove it, or set the session token it belongs to',
      severity: 'warn',
    })
  }
  if (config.production && s.AWS_SESSION_TOKEN) {
    findings.push({
      setting: 'AWS_SESSION_TOKEN',
      problem: 'invalid',
      message: 'AWS_SESSION_TOKEN is set in production: temporary credentials expire and nothing renews them; attach an IAM role instead',
      severity: 'warn',
    })
  }
  return findings
}

import type { Config, Finding, SettingName } from '../config.js'
import { isHttps, redirectUriProblem, stripeKeyMode } from '../formats.js'

// Cross-setting rules of SERVICES.md, shared by the checks that own the settings.

export function httpsInProduction(config: Config, names: readonly SettingName[]): Finding[] {
  if (!config.production) return []
  const out: Finding[] = []
  for (const name of names) {
    const v = config.settings[name]
    if (v && !config.findings.has(name) && !isHttps(v)) {
      out.push({ setting: name, problem: 'invalid', message: `${name} must be https in production` })
    }
  }
  return out
}

export function redirectUri(config: Config, name: SettingName, provider: string): Finding[] {
  const uri = config.settings[name]
  if (!uri || config.findings.has(name)) return []
  const out: Finding[] = []
  const problem = redirectUriProblem(uri, config.settings.NEXT_PUBLIC_APP_URL, provider)
  if (problem) out.push({ setting: name, problem: 'invalid', message: `${name} ${problem} (OAuth providers match it character for character)` })
  else out.push(...httpsInProduction(config, [name]))
  return out
}

export function stripeKeys(config: Config): Finding[] {
  const s = config.settings
  const out: Finding[] = []
  const secretMode = stripeKeyMode(s.STRIPE_SECRET_KEY)
  for (const name of ['STRIPE_PUBLISHABLE_KEY', 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY'] as const) {
    const mode = stripeKeyMode(s[name])
    if (secretMode && mode && mode !== secretMode) {
      out.push({ setting: name, problem: 'invalid', severity: 'fail', message: `${name} is a ${mode} key but STRIPE_SECRET_KEY is a ${secretMode} key: live and test keys must not be mixed` })
    }
  }
  if (secretMode === 'test' && config.production) {
    out.push({ setting: 'STRIPE_SECRET_KEY', problem: 'invalid', severity: 'warn', message: 'STRIPE_SECRET_KEY is a test key in production: no real payment will be taken' })
  }
  if (secretMode === 'live' && s.NODE_ENV && !config.production) {
    out.push({ setting: 'STRIPE_SECRET_KEY', problem: 'invalid', severity: 'warn', message: `STRIPE_SECRET_KEY is a live key outside production (NODE_ENV=${s.NODE_ENV}): real charges can happen` })
  }
  return out
}

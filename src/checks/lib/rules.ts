import type { Config, Finding, SettingName } from '../../config.js'
import { isHttps } from '../../formats.js'

// Cross-setting rules of SERVICES.md, shared by the checks that own the settings.

const parseUrl = (value: string): URL | null => (URL.canParse(value) ? new URL(value) : null)

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

// A redirect URI must match, character for character, the app's origin plus the provider's callback path.
export function redirectUriProblem(uri: string, appUrl: string | undefined, provider: string): string | null {
  const url = parseUrl(uri)
  if (!url) return 'is not a URL'
  const path = `/auth/${provider}/callback`
  const app = appUrl ? parseUrl(appUrl) : null
  if (!app) return `cannot be compared with NEXT_PUBLIC_APP_URL, which is missing or not a URL; it should end in ${path}`
  const expected = `${app.origin}${path}`
  if (uri !== expected) {
    if (url.origin !== app.origin) return `is not on the app's origin (NEXT_PUBLIC_APP_URL ${app.origin}); expected ${expected}`
    return `has the wrong path ${url.pathname}${url.search}; expected ${expected}`
  }
  return null
}

export type StripeMode = 'live' | 'test'

export function stripeKeyMode(key: string | undefined): StripeMode | null {
  const m = key ? /^(?:sk|rk|pk)_(live|test)_/.exec(key) : null
  return m ? (m[1] as StripeMode) : null
}

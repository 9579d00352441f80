import {
  HealthSettings,
  secretHealthSettings,
  type HealthOptions,
  settingMeta,
  settingNames,
  type SettingName,
} from '../config.js'
import { checks } from '../checks/index.js'

interface HealthSchema {
  type?: string
  description?: string
  default?: unknown
  minimum?: number
  maximum?: number
  anyOf?: { const: string }[]
}

function platformSetting(name: SettingName, serviceTier: string): string[] {
  const m = settingMeta(name)
  const facts = [
    `tier ${m.tier ?? serviceTier}`,
    m.required ? 'required' : 'optional',
    m.secret ? 'secret' : '',
    m.format ? `format ${m.format}` : '',
    m.default !== undefined ? `default ${m.default}` : '',
  ]
  return [`# ${m.description}`, `# ${facts.filter(Boolean).join(', ')}`, `${name}=`]
}

function kindOf(s: HealthSchema): string {
  if (s.anyOf) return `one of ${s.anyOf.map((a) => a.const).join(', ')}`
  const range = [s.minimum !== undefined ? `from ${s.minimum}` : '', s.maximum !== undefined ? `to ${s.maximum}` : '']
  return [s.type ?? 'string', ...range].filter(Boolean).join(' ')
}

function healthSetting(name: string, s: HealthSchema): string[] {
  const secret = secretHealthSettings.has(name as keyof HealthOptions)
  const facts = [kindOf(s), secret ? 'secret' : '', s.default !== '' ? `default ${String(s.default)}` : '']
  return [`# ${s.description ?? ''}`, `# ${facts.filter(Boolean).join(', ')}`, `${name}=`]
}

// A commented .env template: every setting once, empty (its default applies), grouped by the check that owns it.
export function envTemplate(): string {
  const services = [...new Set([...checks.map((c) => c.name), ...settingNames.map((n) => settingMeta(n).service)])]
  const out = [
    '# Settings of huntaze-health, generated from its schema by `huntaze-health env`.',
    '# An empty value is unset: its default applies. Variables of the environment win over this file.',
    '# Check a filled-in copy with `huntaze-health env --lint FILE` and `huntaze-health check --env-file FILE --offline`.',
  ]
  for (const service of services) {
    const names = settingNames.filter((n) => settingMeta(n).service === service)
    if (names.length === 0) continue
    const def = checks.find((c) => c.name === service)
    const tier = def?.tier ?? settingMeta(names[0]).tier ?? 'optional'
    out.push('', `# == ${service} (${tier}${def ? `, ${def.live ? 'live check' : 'format only'}` : ''}) ==`)
    for (const name of names) out.push(...platformSetting(name, tier))
  }
  out.push('', '# == the health service itself: a bad value stops it at start ==')
  for (const [name, schema] of Object.entries(HealthSettings.properties)) out.push(...healthSetting(name, schema))
  return out.join('\n') + '\n'
}

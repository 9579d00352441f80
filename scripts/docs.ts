// The README's generated blocks (configuration tables, reason codes), from the schema and the catalogue.
// `npm run docs` rewrites them; test/readme.test.ts fails when the README drifts from them.
import { readFileSync, writeFileSync } from 'node:fs'
import { HealthSettings, settingMeta, settingNames } from '../src/config.js'
import { checks } from '../src/checks/index.js'
import { reasonDescriptions } from '../src/reasons.js'

const cell = (s: string) => s.replace(/\|/g, '\\|')

export function platformTable(): string {
  const tierOf = new Map(checks.map((c) => [c.name, c.tier]))
  const rows = settingNames.map((name) => {
    const m = settingMeta(name)
    const tier = m.tier ?? tierOf.get(m.service) ?? ''
    const flags = [m.required ? 'required' : 'optional', m.secret ? 'secret' : ''].filter(Boolean).join(', ')
    return `| \`${name}\` | \`${m.service}\` | ${tier} | ${flags} | ${m.default !== undefined ? `\`${m.default}\`` : ''} | ${m.format ? `\`${m.format}\`` : ''} | ${cell(m.description)} |`
  })
  return ['| setting | check | tier | | default | format rule | meaning |', '|---|---|---|---|---|---|---|', ...rows].join('\n')
}

export function healthTable(): string {
  const rows = Object.entries(HealthSettings.properties).map(([name, schema]) => {
    const s = schema as { default?: unknown; description?: string }
    return `| \`${name}\` | \`${String(s.default)}\` | ${cell(s.description ?? '')} |`
  })
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n')
}

export function reasonTable(): string {
  return ['| reason | meaning |', '|---|---|', ...Object.entries(reasonDescriptions).map(([k, v]) => `| \`${k}\` | ${cell(v)} |`)].join('\n')
}

export function checkTable(): string {
  const rows = checks.map((c) => `| \`${c.name}\` | ${c.tier} | ${!c.live ? 'format only' : c.cache === 'third-party' ? 'live (third-party cache)' : 'live'} | ${cell(c.description)} |`)
  return ['| check | tier | kind | proves |', '|---|---|---|---|', ...rows].join('\n')
}

export const blocks: Record<string, () => string> = { checks: checkTable, settings: platformTable, 'health-settings': healthTable, reasons: reasonTable }

export function render(readme: string): string {
  let out = readme
  for (const [name, gen] of Object.entries(blocks)) {
    const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`)
    if (!re.test(out)) throw new Error(`README has no <!-- ${name}:start --> block`)
    out = out.replace(re, (_m, a: string, b: string) => `${a}${gen()}\n${b}`)
  }
  return out
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const path = new URL('../README.md', import.meta.url)
  writeFileSync(path, render(readFileSync(path, 'utf8')))
}

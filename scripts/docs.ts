// The generated blocks of the docs, from the schema (src/config.ts), the check definitions (src/checks/index.ts)
// and the reason catalogue (src/reasons.ts). `npm run docs` rewrites each block between its marker comments
// (<!-- name:start --> and <!-- name:end -->); test/docs/docs.test.ts and test/config.test.ts fail when a file drifts.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { HealthSettings, settingMeta, settingNames, type SettingName, type Tier } from '../src/config.js'
import { checks } from '../src/checks/index.js'
import type { CheckDefinition } from '../src/checks/types.js'
import { reasonActions, reasonDescriptions } from '../src/reasons.js'

export const root = fileURLToPath(new URL('../', import.meta.url))

// What the docs read of a check definition, one field each, so that a change of the definitions is a change here.
export const isLive = (c: CheckDefinition): boolean => c.live
export const cacheOf = (c: CheckDefinition): 'infrastructure' | 'third-party' => c.cache
export const settingsOf = (c: CheckDefinition): readonly SettingName[] => c.settings
export const formatOnlyBecause = (c: CheckDefinition): string | undefined => c.formatOnlyBecause

const cell = (s: string) => s.replace(/\|/g, '\\|')
const code = (s: string) => `\`${s}\``

const tierOf = (name: SettingName): Tier => {
  const m = settingMeta(name)
  return m.tier ?? checks.find((c) => c.name === m.service)?.tier ?? 'optional'
}

// The anchor GitHub gives a heading: lower case, punctuation dropped, each space a hyphen.
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-')
}

// Where each check's section is: the docs/checks/ file with a heading that starts with the check's name in backticks.
export function checkSections(): Map<string, { file: string; anchor: string }> {
  const sections = new Map<string, { file: string; anchor: string }>()
  for (const file of familyPages()) {
    for (const [, heading, name] of readFileSync(`${root}docs/checks/${file}`, 'utf8').matchAll(
      /^#{2,4} (`([a-z0-9-]+)`.*)$/gm,
    )) {
      if (!sections.has(name)) sections.set(name, { file, anchor: slug(heading) })
    }
  }
  return sections
}

// A check's name, linked to its section when it has one, from a document in the folder `from`.
function checkLink(c: CheckDefinition, from: '.' | 'docs' | 'docs/checks'): string {
  const s = checkSections().get(c.name)
  if (!s) return code(c.name)
  return `[${code(c.name)}](${{ '.': 'docs/checks/', docs: 'checks/', 'docs/checks': '' }[from]}${s.file}#${s.anchor})`
}

const kindOf = (c: CheckDefinition) =>
  !isLive(c) ? 'format only' : cacheOf(c) === 'third-party' ? 'live (third-party cache)' : 'live'

export function platformTable(): string {
  const rows = settingNames.map((name) => {
    const m = settingMeta(name)
    const flags = [m.required ? 'required' : 'optional', m.secret ? 'secret' : ''].filter(Boolean).join(', ')
    return `| ${code(name)} | ${code(m.service)} | ${tierOf(name)} | ${flags} | ${m.default !== undefined ? code(m.default) : ''} | ${m.format ? code(m.format) : ''} | ${cell(m.description)} |`
  })
  return [
    '| setting | check | tier | | default | format rule | meaning |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n')
}

export function healthTable(): string {
  const rows = Object.entries(HealthSettings.properties).map(([name, schema]) => {
    const s = schema as { default?: unknown; description?: string }
    // an empty default (a list of none) is an empty cell, not a pair of backticks
    return `| ${code(name)} | ${s.default === '' ? '' : code(String(s.default))} | ${cell(s.description ?? '')} |`
  })
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n')
}

export function reasonTable(): string {
  const rows = Object.entries(reasonDescriptions).map(
    ([k, v]) => `| ${code(k)} | ${cell(v)} | ${cell(reasonActions[k as keyof typeof reasonActions])} |`,
  )
  return ['| reason | what it means | what to do first |', '|---|---|---|', ...rows].join('\n')
}

export function checkTable(from: '.' | 'docs/checks'): () => string {
  return () => {
    const rows = checks.map((c) => `| ${checkLink(c, from)} | ${c.tier} | ${kindOf(c)} | ${cell(c.description)} |`)
    return ['| check | tier | kind | proves |', '|---|---|---|---|', ...rows].join('\n')
  }
}

// The checks whose sections a page of docs/checks/ holds, in the order of the catalogue.
export function familyTable(file: string): () => string {
  return () => {
    const sections = checkSections()
    const rows = checks
      .filter((c) => sections.get(c.name)?.file === file)
      .map((c) => `| ${checkLink(c, 'docs/checks')} | ${c.tier} | ${kindOf(c)} | ${cell(c.description)} |`)
    return ['| check | tier | kind | proves |', '|---|---|---|---|', ...rows].join('\n')
  }
}

export function checkNames(): string {
  return checks.map((c) => code(c.name)).join(', ')
}

// A check's settings: its own service's first, each with what decides its role; then those it reads from another service.
function settingList(c: CheckDefinition): string {
  const own: string[] = []
  const borrowed = new Map<string, string[]>()
  for (const name of settingsOf(c)) {
    const m = settingMeta(name)
    if (m.service !== c.name) {
      borrowed.set(m.service, [...(borrowed.get(m.service) ?? []), code(name)])
      continue
    }
    const notes = [
      m.required ? 'required' : '',
      m.default !== undefined ? `default ${code(m.default)}` : '',
      tierOf(name) !== c.tier ? tierOf(name) : '',
    ].filter(Boolean)
    own.push(`${code(name)}${notes.length ? ` (${notes.join(', ')})` : ''}`)
  }
  const also = [...borrowed].map(([service, names]) => `${names.join(', ')} of ${code(service)}`)
  return [own.join(', '), also.length ? `also ${also.join('; ')}` : ''].filter(Boolean).join('; ')
}

export function serviceTable(): string {
  const rows = checks.map((c) => {
    const live = isLive(c) ? 'yes' : `no: ${formatOnlyBecause(c) ?? 'format only'}`
    return `| ${checkLink(c, 'docs')} | ${c.tier} | ${cell(settingList(c))} | ${cell(c.description)} | ${cell(live)} |`
  })
  return ['| check | tier | settings | the check proves | live check |', '|---|---|---|---|---|', ...rows].join('\n')
}

export function criticalSettings(): string {
  return settingNames
    .filter((n) => settingMeta(n).required && tierOf(n) === 'critical')
    .map(code)
    .join(', ')
}

export function secretSettings(): string {
  return settingNames
    .filter((n) => settingMeta(n).secret)
    .map(code)
    .join(', ')
}

const familyPages = () =>
  existsSync(`${root}docs/checks`)
    ? readdirSync(`${root}docs/checks`)
        .filter((f) => f.endsWith('.md') && f !== 'README.md')
        .sort()
    : []

// Each document with its generated blocks; paths are relative to the repository.
export const documents: Record<string, Record<string, () => string>> = {
  'README.md': { checks: checkTable('.'), reasons: reasonTable },
  'docs/services.md': {
    'check-names': checkNames,
    services: serviceTable,
    'critical-settings': criticalSettings,
    secrets: secretSettings,
  },
  'docs/configuration.md': { settings: platformTable, 'health-settings': healthTable },
  'docs/checks/README.md': { checks: checkTable('docs/checks') },
  ...Object.fromEntries(familyPages().map((f) => [`docs/checks/${f}`, { family: familyTable(f) }])),
}

export function render(text: string, blocks: Record<string, () => string>, file = 'the document'): string {
  let out = text
  for (const [name, gen] of Object.entries(blocks)) {
    const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`)
    if (!re.test(out)) throw new Error(`${file} has no <!-- ${name}:start --> block`)
    out = out.replace(re, (_m, a: string, b: string) => `${a}${gen()}\n${b}`)
  }
  return out
}

// A document as committed, and as the code renders it.
export function renderDocument(path: string): { text: string; rendered: string } {
  const text = readFileSync(`${root}${path}`, 'utf8')
  return { text, rendered: render(text, documents[path], path) }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  for (const path of Object.keys(documents)) {
    const { text, rendered } = renderDocument(path)
    if (rendered !== text) writeFileSync(`${root}${path}`, rendered)
  }
}

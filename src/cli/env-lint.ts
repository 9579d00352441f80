import { parse } from 'dotenv'
import { ConfigError, HealthSettings, loadConfig, settingMeta, settingNames, type SettingName } from '../config.js'
import { formats } from '../formats.js'
import { closest } from './closest.js'

export interface Problem {
  line: number
  severity: 'error' | 'warning'
  message: string
}

export interface Lint {
  problems: Problem[]
  // how many NAME=value lines the file has
  assignments: number
}

const healthNames = Object.keys(HealthSettings.properties)
const knownNames: readonly string[] = [...settingNames, ...healthNames]
const isPlatform = (name: string): name is SettingName => (settingNames as readonly string[]).includes(name)

// What is wrong with one value, never the value itself: format rules and the service's own rules say what they expect.
function valueProblems(name: string, value: string): string[] {
  if (isPlatform(name)) {
    const format = settingMeta(name).format
    const problem = format && formats[format](value)
    return problem ? [`${name} is malformed: ${problem}`] : []
  }
  try {
    loadConfig({ [name]: value }, { envFile: false })
    return []
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // the first line introduces the list; each further line is one problem, already naming the setting
    return err.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
  }
}

// Reads a .env file as dotenv does, line by line so that every problem has its line: unknown names (with the closest
// known one), names given twice, and values that break their rule. Values are never repeated: many are secrets.
export function lintEnv(text: string): Lint {
  const problems: Problem[] = []
  const firstLine = new Map<string, number>()
  let assignments = 0
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const parsed = Object.entries(parse(raw))
    if (parsed.length !== 1) {
      problems.push({ line, severity: 'error', message: 'not a NAME=value line: dotenv ignores it' })
      return
    }
    const [[name, value]] = parsed
    assignments++
    const first = firstLine.get(name)
    if (first === undefined) firstLine.set(name, line)
    else
      problems.push({
        line,
        severity: 'error',
        message: `${name} is set again (first on line ${first}); this one wins`,
      })
    if (!knownNames.includes(name)) {
      const meant = closest(name, knownNames)
      problems.push(
        meant
          ? { line, severity: 'error', message: `${name} is not a setting; did you mean ${meant}?` }
          : { line, severity: 'warning', message: `${name} is not a setting of huntaze-health; it is ignored` },
      )
      return
    }
    // an empty value is unset, as the service reads it; a missing required setting is for `check` to report
    if (value.trim() === '') return
    for (const message of valueProblems(name, value.trim())) problems.push({ line, severity: 'error', message })
  })
  return { problems, assignments }
}

// `FILE:LINE: severity: message` a problem, then a summary line.
export function renderLint(file: string, lint: Lint): string {
  const lines = lint.problems.map((p) => `${file}:${p.line}: ${p.severity}: ${p.message}`)
  const errors = lint.problems.filter((p) => p.severity === 'error').length
  const warnings = lint.problems.length - errors
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  lines.push(
    `${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(lint.assignments, 'setting')}`,
  )
  return lines.join('\n') + '\n'
}

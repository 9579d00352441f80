import type { CheckResult } from '../../engine/result.js'
import { failing } from '../verdict.js'

// GitHub Actions workflow commands: a message escapes %, CR and LF; a property also : and ,
const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const property = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

// An annotation per failing or warning check, then a notice with the counts.
export function renderGithub(results: readonly CheckResult[], strict: boolean): string {
  const lines: string[] = []
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'warn') continue
    const command = failing(r, strict) ? 'error' : 'warning'
    const why = [r.reason, r.output].filter(Boolean).join(' ')
    lines.push(`::${command} title=${property(`huntaze-health ${r.name} (${r.tier})`)}::${data(`${r.status}: ${why}`)}`)
  }
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length
  const summary = `${count('fail')} failed, ${count('warn')} warnings, ${count('pass')} passed, ${count('skipped')} skipped`
  lines.push(`::notice title=huntaze-health::${data(summary)}`)
  return lines.join('\n') + '\n'
}

import type { Tier } from '../../config.js'
import type { CheckResult } from '../../engine/result.js'
import { failing } from '../verdict.js'

const tiers: readonly Tier[] = ['critical', 'important', 'optional']

// characters XML 1.0 cannot carry at all, even escaped
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

function text(s: string): string {
  return s.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}

const seconds = (ms: number) => (ms / 1000).toFixed(3)

function testcase(r: CheckResult, strict: boolean): string {
  const open = `    <testcase name="${attr(r.name)}" classname="huntaze-health.${r.tier}" time="${seconds(r.durationMs)}"`
  const why = [r.reason, r.output].filter(Boolean).join(': ')
  if (failing(r, strict))
    return `${open}>\n      <failure message="${attr(why)}" type="${r.status}">${text(r.output ?? '')}</failure>\n    </testcase>`
  if (r.status === 'skipped') return `${open}>\n      <skipped message="${attr(why)}"/>\n    </testcase>`
  // a warning that does not fail the run, or what a pass proved, is still worth reading in the report
  if (why) return `${open}>\n      <system-out>${text(`${r.status}: ${why}`)}</system-out>\n    </testcase>`
  return `${open}/>`
}

function counts(results: readonly CheckResult[], strict: boolean) {
  const failures = results.filter((r) => failing(r, strict)).length
  const skipped = results.filter((r) => r.status === 'skipped').length
  const time = seconds(results.reduce((sum, r) => sum + r.durationMs, 0))
  return `tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}"`
}

// JUnit XML for CI test reports: one suite a tier, one test case a check.
export function renderJunit(results: readonly CheckResult[], strict: boolean): string {
  const suites = tiers
    .map((tier) => results.filter((r) => r.tier === tier))
    .filter((inTier) => inTier.length > 0)
    .map((inTier) =>
      [
        `  <testsuite name="${inTier[0].tier}" ${counts(inTier, strict)}>`,
        ...inTier.map((r) => testcase(r, strict)),
        '  </testsuite>',
      ].join('\n'),
    )
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="huntaze-health" ${counts(results, strict)}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n')
}

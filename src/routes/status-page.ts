import { createHash } from 'node:crypto'
import type { Tier } from '../config.js'
import { aggregate, sinceOf } from '../engine/aggregate.js'
import { MINUTE_MS, MINUTES_KEPT, type CheckHistory } from '../engine/history.js'
import type { CheckResult } from '../engine/result.js'
import type { CheckStatus } from '../engine/status.js'
import { looks, type Looked } from './looks.js'
import { lasted, pending, type ReportMeta, type Shown } from './render.js'

// The status page: one HTML document rendered on the server, with its style and a small script inline.

// The last 24 hours of a check in half-hours, oldest first: the worst reported status of each, or none.
export type Segment = CheckStatus | 'none'
export const SEGMENTS = 48
const SEGMENT_MINUTES = MINUTES_KEPT / SEGMENTS

export interface Bar {
  segments: readonly Segment[]
  uptime: number | null
}

// One check as the page lists it: its result as this caller may see it (none while it has not been observed), and
// its last day.
export interface Row {
  name: string
  tier: Tier
  result?: CheckResult
  bar: Bar
}

export interface PageInput {
  meta: ReportMeta
  shown: Shown
  rows: readonly Row[]
  now: number
  // how often the script asks whether anything changed
  refreshMs: number
}

// without scripts the page reloads itself, less often: a reload moves the reader back to the top
export const NOSCRIPT_REFRESH_S = 60

const tiers: readonly { tier: Tier; heading: string; means: string }[] = [
  { tier: 'critical', heading: 'Critical', means: 'a failure fails the whole platform' },
  { tier: 'important', heading: 'Important', means: 'a failure degrades it' },
  { tier: 'optional', heading: 'Optional', means: 'a failure loses a feature' },
]

// The history's minutes gathered into half-hours ending with the current minute.
export function barOf(kept: CheckHistory, now: number): Bar {
  const first = Math.floor(now / MINUTE_MS) - MINUTES_KEPT + 1
  const counts = Array.from({ length: SEGMENTS }, () => ({ pass: 0, warn: 0, fail: 0, skipped: 0 }))
  for (const m of kept.minutes) {
    const k = Math.floor((m.start / MINUTE_MS - first) / SEGMENT_MINUTES)
    if (k < 0 || k >= SEGMENTS) continue
    for (const s of ['pass', 'warn', 'fail', 'skipped'] as const) counts[k][s] += m[s]
  }
  const segments = counts.map((c): Segment =>
    c.fail > 0 ? 'fail' : c.warn > 0 ? 'warn' : c.pass > 0 ? 'pass' : c.skipped > 0 ? 'skipped' : 'none',
  )
  return { segments, uptime: kept.uptime['24h'] }
}

const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;line-height:1.45;color:#1f2328;background:#fff}
body{margin:0 auto;padding:1rem;max-width:60rem}
h1{font-size:1.5rem;margin:0 0 .25rem}
h2{font-size:1.2rem;margin:1.5rem 0 .25rem}
h2 small{font-weight:normal;color:#57606a;font-size:.9rem}
h3{font-size:1rem;margin:0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between}
ul{list-style:none;margin:0;padding:0}
li.check{border:1px solid #d0d7de;border-radius:6px;padding:.75rem;margin:.5rem 0}
.state{display:inline-block;padding:.1rem .5rem;border-radius:1rem;color:#fff;font-weight:600;font-size:.9rem;white-space:nowrap}
${(Object.keys(looks) as Looked[]).map((s) => `.s-${s}{background:${looks[s].colour}}`).join('\n')}
.overall{font-size:1.1rem;margin:.5rem 0}
.overall .state{font-size:1.1rem}
.why{margin:.5rem 0 0;overflow-wrap:anywhere}
code{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.9em;background:#f3f4f6;padding:0 .25rem;border-radius:3px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:.5rem 0 0;font-size:.9rem}
dt{color:#57606a}
dd{margin:0;overflow-wrap:anywhere}
.note{color:#57606a;font-size:.9rem}
.bar{display:grid;grid-template-columns:repeat(${SEGMENTS},1fr);gap:1px;height:1.25rem;margin:.15rem 0}
.bar span{border-radius:1px}
.b-pass{background:${looks.pass.colour}}
.b-warn{background:${looks.warn.colour}}
.b-fail{background:repeating-linear-gradient(135deg,${looks.fail.colour} 0 3px,#f2b8b5 3px 5px)}
.b-skipped{background:${looks.skipped.colour}}
.b-none{background:#e6e8eb}
footer{margin-top:2rem;color:#57606a;font-size:.85rem}
`

// Every poll asks /health (its cache rules keep the results fresh, at no more cost than a monitor's poll); when its
// answer changed, the page fetches itself and swaps the parts that show results, so there is one renderer.
const SCRIPT = `(() => {
  const every = Number(document.body.dataset.refreshMs)
  let last
  const tick = async () => {
    try {
      const health = await fetch('health', { cache: 'no-store', headers: { accept: 'application/health+json' } })
      const answer = await health.text()
      if (answer !== last) {
        const page = await fetch(location.href, { cache: 'no-store' })
        if (page.ok) {
          const next = new DOMParser().parseFromString(await page.text(), 'text/html')
          for (const id of ['overall', 'checks', 'updated']) document.getElementById(id).replaceWith(next.getElementById(id))
          last = answer
        }
      }
    } catch {
      // the service is unreachable for now: try again at the next tick
    }
    setTimeout(tick, every)
  }
  setTimeout(tick, every)
})()`

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

// Only the inline style and script above may run, and the script may talk to this origin only.
export const STATUS_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  // the empty icon, so the browser asks for no /favicon.ico
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => entities[c])

const iso = (ms: number) => new Date(ms).toISOString()

function state(status: Looked): string {
  const look = looks[status]
  return `<span class="state s-${status}"><span aria-hidden="true">${look.icon}</span> ${look.word}</span>`
}

function latency(r: CheckResult): string {
  if (r.status === 'skipped') return 'not probed'
  return `${r.durationMs < 10 ? r.durationMs.toFixed(1) : Math.round(r.durationMs)} ms`
}

// at most two decimals, never rounded up to 100%
const percent = (share: number) => `${Math.floor(share * 10_000) / 100}%`

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

// The bar is a picture; its words say the same, so neither colour nor sight is needed.
function history(bar: Bar): string {
  const failing = bar.segments.filter((s) => s === 'fail').length
  const warning = bar.segments.filter((s) => s === 'warn').length
  const words = [
    bar.uptime === null ? 'no uptime (skipped)' : `${percent(bar.uptime)} up`,
    failing > 0 ? `failing in ${plural(failing, 'half-hour')}` : '',
    warning > 0 ? `warning in ${plural(warning, 'half-hour')}` : '',
  ]
    .filter(Boolean)
    .join(', ')
  const spans = bar.segments.map((s) => `<span class="b-${s}"></span>`).join('')
  return `<span class="bar" role="img" aria-label="the last 24 hours in half-hours, oldest first: ${words}">${spans}</span>${words}`
}

function facts(row: Row, r: CheckResult, now: number): string {
  return [
    `<dt>Since</dt><dd><time datetime="${iso(r.since)}">${lasted(now - r.since)}</time> ago</dd>`,
    `<dt>Checked</dt><dd><time datetime="${iso(r.observedAt)}">${lasted(now - r.observedAt)}</time> ago</dd>`,
    `<dt>Took</dt><dd>${latency(r)}</dd>`,
    `<dt>24 hours</dt><dd>${history(row.bar)}</dd>`,
  ].join('')
}

function check(row: Row, now: number): string {
  const r = row.result
  const head = `<h3><span>${escapeHtml(row.name)}</span> ${state(r ? r.status : 'unobserved')}</h3>`
  if (!r) return `<li class="check" id="check-${escapeHtml(row.name)}">${head}</li>`
  const why = [
    r.reason ? `<code>${escapeHtml(r.reason)}</code>` : '',
    r.output ? escapeHtml(r.output) : '',
    escapeHtml(pending(r).trim()),
  ].filter(Boolean)
  return (
    `<li class="check" id="check-${escapeHtml(row.name)}">${head}` +
    (why.length > 0 ? `<p class="why">${why.join(' ')}</p>` : '') +
    `<dl>${facts(row, r, now)}</dl></li>`
  )
}

function overall(input: PageInput): string {
  const results = input.shown.results
  const waiting = input.rows.length - results.length
  if (results.length === 0)
    return `<section id="overall" role="status"><p class="overall">${state('unobserved')}</p><p class="note">No check has been observed since the service started: the results appear here once monitors poll /health or /ready (this page never starts a probe itself; while it is open it asks /health).</p></section>`
  const status = aggregate(results)
  const since = sinceOf(results, status)
  const counts = { pass: 0, warn: 0, fail: 0, skipped: 0 }
  for (const r of results) counts[r.status]++
  const lasting = since === undefined ? '' : ` for <time datetime="${iso(since)}">${lasted(input.now - since)}</time>`
  const notes = [
    `${counts.fail} failing, ${counts.warn} warning, ${counts.pass} passing, ${counts.skipped} skipped${waiting > 0 ? `, ${waiting} not observed yet` : ''}.`,
    input.shown.withheld
      ? 'Details withheld (HEALTH_DETAILS): statuses and reason codes only, as for any caller without a token.'
      : '',
  ].filter(Boolean)
  return (
    `<section id="overall" role="status"><p class="overall">${escapeHtml(input.meta.serviceId)} is ${state(status)}${lasting}</p>` +
    notes.map((n) => `<p class="note">${n}</p>`).join('') +
    `</section>`
  )
}

export function renderStatusPage(input: PageInput): string {
  const sections = tiers
    .map(({ tier, heading, means }) => {
      const rows = input.rows.filter((r) => r.tier === tier)
      if (rows.length === 0) return ''
      return (
        `<section aria-labelledby="tier-${tier}"><h2 id="tier-${tier}">${heading} <small>${means}</small></h2>` +
        `<ul>${rows.map((r) => check(r, input.now)).join('')}</ul></section>`
      )
    })
    .join('')
  const title = `${escapeHtml(input.meta.serviceId)} status`
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<noscript><meta http-equiv="refresh" content="${NOSCRIPT_REFRESH_S}"></noscript>` +
    `<title>${title}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>` +
    `<body data-refresh-ms="${input.refreshMs}"><main><h1>${title}</h1>${overall(input)}` +
    `<div id="checks">${sections}</div></main>` +
    `<footer><p id="updated">Rendered at <time datetime="${iso(input.now)}">${iso(input.now)}</time>; ` +
    `it updates itself every ${Math.round(input.refreshMs / 1000)} s (every ${NOSCRIPT_REFRESH_S} s without scripts). ` +
    `Machine-readable: <a href="health">/health</a>.</p></footer>` +
    `<script>${SCRIPT}</script></body></html>`
  )
}

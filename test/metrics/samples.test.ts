import t from 'tap'
import { readFileSync } from 'node:fs'
import { startPlatform } from '../support/platform.js'
import { startService } from '../support/service.js'
import { parseExposition, type Exposition } from '../support/prometheus.js'

// docs/metrics.md promises a sample for every series it lists, from the first scrape, except where the meaning it
// gives says when there is none ("absent ...", "appears ..."): tested on the running service, scraped over HTTP.

const page = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8')
const between = (marker: string) => page.split(`<!-- ${marker}:start -->`)[1]?.split(`<!-- ${marker}:end -->`)[0] ?? ''

// the service's own series and what their meaning says of their absence
const own = [...between('series').matchAll(/^\| `([a-z0-9_]+)` \|[^|]*\|[^|]*\| (.*) \|$/gm)].map((m) => ({
  name: m[1],
  sometimesAbsent: /\b(absent|appears?)\b/.test(m[2]),
}))
const defaults = [...between('defaults').matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1])
const later = [...between('later').matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1])

// histograms and summaries are sampled as _bucket, _sum and _count
const sampled = (e: Exposition, name: string) =>
  e.samples.some((s) => s.name === name || s.name.replace(/_(bucket|sum|count)$/, '') === name)

async function scrape(port: number): Promise<Exposition> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`)
  return parseExposition(await res.text())
}

t.test(
  'the first scrape after start has a sample of every series docs/metrics.md lists, or the docs say when',
  async (t) => {
    t.ok(own.length > 10 && defaults.length > 10, 'both lists are found')
    t.ok(later.length > 0 && later.every((n) => defaults.includes(n)), 'the defaults that appear later are listed ones')
    const { env } = await startPlatform(t)
    const srv = startService(env)
    t.teardown(() => srv.child.kill('SIGKILL'))
    const port = await srv.port
    const first = await scrape(port)
    for (const s of own) if (!s.sometimesAbsent) t.ok(sampled(first, s.name), `${s.name}: sampled from the start`)
    for (const name of defaults)
      if (!later.includes(name)) t.ok(sampled(first, name), `${name}: sampled from the start`)
    // once the critical checks have results and a probe route has answered, the own series that wait for that appear
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && (await fetch(`http://127.0.0.1:${port}/ready`)).status !== 200)
      await new Promise((r) => setTimeout(r, 100))
    await (await fetch(`http://127.0.0.1:${port}/health`)).arrayBuffer()
    const next = await scrape(port)
    for (const s of own.filter((s) => s.sometimesAbsent))
      t.ok(sampled(next, s.name), `${s.name}: sampled once the checks are observed and a route has answered`)
  },
)

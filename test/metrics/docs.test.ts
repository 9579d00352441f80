import t from 'tap'
import { readFileSync } from 'node:fs'
import { appWith, REDIS_URL } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { parseExposition } from '../support/prometheus.js'

const page = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8')

// The series names between a pair of markers of docs/metrics.md.
function listed(marker: string): string[] {
  const part = page.split(`<!-- ${marker}:start -->`)[1]?.split(`<!-- ${marker}:end -->`)[0] ?? ''
  const names = marker.endsWith('series')
    ? [...part.matchAll(/^\| `([a-z0-9_]+)` \|/gm)]
    : [...part.matchAll(/`([a-z0-9_]+)`/g)]
  return names.map((m) => m[1])
}

t.test('docs/metrics.md lists every series /metrics exposes, and nothing else', async (t) => {
  const { app } = await appWith({}, { checks: [synthetic('one', async () => ({})).def] })
  t.teardown(() => app.close())
  await app.inject('/health/one')
  const exposed = [...parseExposition((await app.inject('/metrics')).body).types.keys()]
  const own = listed('series')
  const defaults = listed('defaults')
  t.ok(own.length > 10 && defaults.length > 10, 'both lists are found')
  t.same([...own].sort(), exposed.filter((n) => n.startsWith('huntaze_health_')).sort(), "the service's own series")
  t.same([...defaults].sort(), exposed.filter((n) => !n.startsWith('huntaze_health_')).sort(), 'the defaults')
})

t.test('with HEALTH_FLEET_REDIS_URL, the fleet series docs/metrics.md lists come too, and nothing else', async (t) => {
  const { app } = await appWith(
    { HEALTH_FLEET_REDIS_URL: REDIS_URL },
    { checks: [{ ...synthetic('one', async () => ({})).def, scope: 'global' }] },
  )
  t.teardown(() => app.close())
  await app.inject('/health/one')
  const exposed = [...parseExposition((await app.inject('/metrics')).body).types.keys()]
  const fleet = listed('fleet-series')
  t.ok(fleet.length >= 2, 'the list is found')
  t.same(
    exposed.filter((n) => n.startsWith('huntaze_health_') && !listed('series').includes(n)).sort(),
    [...fleet].sort(),
  )
})

import t, { type Test } from 'tap'
import { startResendFake } from '../support/fakes/resend.js'
import { httpGet, PG_URL, REDIS_URL } from '../support/helpers.js'
import { startService } from '../support/service.js'

// The gauges of one series, by check: `name{check="x",...} value`.
function gauges(metrics: string, name: string): Map<string, number> {
  const found = new Map<string, number>()
  for (const m of metrics.matchAll(new RegExp(`^${name}\\{check="([^"]+)"[^}]*\\} (\\S+)$`, 'gm')))
    found.set(m[1], Number(m[2]))
  return found
}

const LIFETIME_MS = 1000
const THIRD_PARTY_MS = 2000
const key = `re_${'k9Xq2'.repeat(6)}`

async function service(t: Test, env: Record<string, string>) {
  const resend = await startResendFake({ full: key })
  t.teardown(() => resend.close())
  const srv = startService({
    DATABASE_URL: PG_URL,
    REDIS_URL,
    RESEND_API_KEY: key,
    RESEND_API_URL: resend.url,
    HEALTH_CACHE_TTL_MS: String(LIFETIME_MS),
    HEALTH_THIRD_PARTY_CACHE_TTL_MS: String(THIRD_PARTY_MS),
    HEALTH_MIN_PROBE_INTERVAL_MS: '100',
    NODE_ENV: 'development',
    ...env,
  })
  t.teardown(() => srv.child.kill('SIGKILL'))
  return { port: await srv.port, resend }
}

// What the kubelet alone does to a pod: startup and liveness on /live, readiness on /serving.
async function kubeletOnly(port: number, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await httpGet(port, '/live')
    await httpGet(port, '/serving')
    await new Promise((r) => setTimeout(r, 100))
  }
}

t.test('with nothing polling but the kubelet, every configured check stays at most one lifetime old', async (t) => {
  const { port, resend } = await service(t, {})
  // long enough for the start-up spread, the probe thread's start and two third-party lifetimes
  const deadline = Date.now() + 60_000
  const seen = async () =>
    gauges((await httpGet(port, '/metrics')).body, 'huntaze_health_check_last_observed_timestamp_seconds')
  do await kubeletOnly(port, 5)
  while (Date.now() < deadline && !((await seen()).has('resend') && resend.requests.length >= 2))
  t.ok(resend.requests.length >= 2, `the optional resend check was probed again, unasked (${resend.requests.length})`)
  await kubeletOnly(port, 10)
  const metrics = (await httpGet(port, '/metrics')).body
  const observed = gauges(metrics, 'huntaze_health_check_last_observed_timestamp_seconds')
  const now = Date.now() / 1000
  // a lifetime, plus the scrape's own way and a busy machine's delay in landing a refresh
  const margin = 1.5
  for (const [name, lifetime] of [
    ['postgres', LIFETIME_MS],
    ['redis', LIFETIME_MS],
    ['resend', THIRD_PARTY_MS],
  ] as const) {
    const at = observed.get(name)
    t.ok(at !== undefined, `${name} has a result in /metrics`)
    t.ok(
      now - at! <= lifetime / 1000 + margin,
      `${name}: ${(now - at!).toFixed(2)} s old, lifetime ${lifetime / 1000} s`,
    )
  }
  t.notMatch(metrics, /huntaze_health_check_reason\{[^}]*reason="STALE"/, 'nothing stalled')
})

t.test('on demand, the same kubelet leaves the important and optional checks unobserved', async (t) => {
  const { port, resend } = await service(t, { HEALTH_REFRESH: 'on-demand' })
  await kubeletOnly(port, 20)
  const metrics = (await httpGet(port, '/metrics')).body
  const observed = gauges(metrics, 'huntaze_health_check_observed')
  t.equal(observed.get('resend'), 0, 'resend never observed')
  t.equal(observed.get('redis'), 0, 'redis never observed')
  t.equal(resend.requests.length, 0)
})

t.test("a critical dependency's failure leaves the service's own readiness and its report up", async (t) => {
  const { port } = await service(t, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' })
  await kubeletOnly(port, 3)
  let ready = await httpGet(port, '/ready')
  for (let i = 0; i < 100 && ready.status !== 503; i++) ready = await httpGet(port, '/ready')
  t.equal(ready.status, 503, 'the platform is not ready: PostgreSQL is down')
  t.equal(
    (await httpGet(port, '/serving')).status,
    200,
    'the health service itself is: its pods stay behind the Service',
  )
  const health = await httpGet(port, '/health')
  t.equal(health.status, 503)
  t.equal(JSON.parse(health.body).checks['postgres:responseTime'][0].reason, 'REFUSED', 'and the report says why')
})

import t from 'tap'
import { appWith, bearerToken } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'
import { echoed, tellsIn } from '../support/secrets.js'
import { parseExposition, promtool, valueOf, type Exposition } from '../support/prometheus.js'
import { CheckError } from '../../src/checks/types.js'
import { Reason } from '../../src/reasons.js'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'

const scrape = async (app: FastifyInstance): Promise<Exposition> => {
  const res = await app.inject('/metrics')
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}: ${res.body}`)
  return parseExposition(res.body)
}

// One check of each kind: passing, failing (critical), rate-limited by its provider, format only, and one that is
// never asked for.
function fleet() {
  const ok = synthetic('ok', async () => ({}), { tier: 'important' })
  const down = synthetic('down', async () => {
    throw new CheckError(Reason.REFUSED, 'connection refused')
  })
  const limited = synthetic(
    'limited',
    async () => {
      throw new CheckError(Reason.RATE_LIMITED, 'HTTP 429 Too Many Requests', { retryAfterMs: 30_000 })
    },
    { tier: 'optional' },
  )
  const format = synthetic('format', undefined, { live: false, tier: 'optional' })
  const idle = synthetic('idle', async () => ({}), { tier: 'optional' })
  return { ok, down, limited, format, idle }
}

async function fleetApp(t: Test, env: Record<string, string> = {}) {
  const f = fleet()
  const clock = new ManualClock()
  const { app } = await appWith(
    { HEALTH_MIN_PROBE_INTERVAL_MS: '0', ...env },
    { checks: Object.values(f).map((c) => c.def), clock },
  )
  t.teardown(() => app.close())
  for (const name of ['ok', 'down', 'limited', 'format']) await app.inject(`/health/${name}`)
  return { app, clock, f }
}

t.test('the exposition passes promtool check metrics, every kind of check in it', async (t) => {
  const { app } = await fleetApp(t)
  await app.inject('/ready')
  await app.inject('/no/such/path')
  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  t.equal(res.headers['cache-control'], 'no-store', 'through the contract')
  const lint = await promtool(['check', 'metrics'], res.body)
  t.equal(lint.out, '', 'no lint problem')
  t.equal(lint.code, 0)
  const e = parseExposition(res.body)
  const own = [...e.types.keys()].filter((n) => !/^(process|nodejs)_/.test(n))
  t.ok(own.length > 10, 'the service has its own series')
  t.same(
    own.filter((n) => !n.startsWith('huntaze_health_')),
    [],
    'one prefix',
  )
  t.ok(e.types.has('process_cpu_seconds_total') && e.types.has('nodejs_heap_size_used_bytes'), 'process and Node.js')
})

t.test('the whole catalogue, unconfigured, lints cleanly too, each check with its own tier', async (t) => {
  const { app } = await appWith({})
  t.teardown(() => app.close())
  await app.inject('/health')
  const body = (await app.inject('/metrics')).body
  const lint = await promtool(['check', 'metrics'], body)
  t.equal(lint.out, '')
  t.equal(lint.code, 0)
  const e = parseExposition(body)
  for (const def of app.health.runner.definitions)
    t.equal(valueOf(e, 'huntaze_health_check_observed', { check: def.name, tier: def.tier }), 1, def.name)
})

t.test('per check: the reported status as one series per value, its tier, and never-observed checks', async (t) => {
  const { app } = await fleetApp(t)
  const e = await scrape(app)
  for (const status of ['pass', 'warn', 'fail', 'skipped']) {
    t.equal(
      valueOf(e, 'huntaze_health_check_status', { check: 'down', tier: 'critical', status }),
      status === 'fail' ? 1 : 0,
      `down ${status}`,
    )
    t.equal(valueOf(e, 'huntaze_health_check_status', { check: 'ok', tier: 'important', status }), +(status === 'pass'))
    t.equal(
      valueOf(e, 'huntaze_health_check_status', { check: 'limited', tier: 'optional', status }),
      +(status === 'warn'),
    )
    t.equal(valueOf(e, 'huntaze_health_check_status', { check: 'idle', tier: 'optional', status }), 0, 'never observed')
  }
  t.equal(valueOf(e, 'huntaze_health_check_observed', { check: 'down' }), 1)
  t.equal(valueOf(e, 'huntaze_health_check_observed', { check: 'idle', tier: 'optional' }), 0)
  t.equal(valueOf(e, 'huntaze_health_check_last_observed_timestamp_seconds', { check: 'idle' }), undefined)
  t.equal(valueOf(e, 'huntaze_health_check_reason', { check: 'down', reason: 'REFUSED' }), 1)
  t.equal(valueOf(e, 'huntaze_health_check_reason', { check: 'ok' }), undefined, 'a plain pass has no reason')
  t.equal(valueOf(e, 'huntaze_health_status', { endpoint: 'health', status: 'fail' }), 1, 'a critical check fails')
  t.equal(valueOf(e, 'huntaze_health_status', { endpoint: 'ready', status: 'fail' }), 1)
  t.equal(valueOf(e, 'huntaze_health_status', { endpoint: 'ready', status: 'pass' }), 0)
})

t.test('timestamps in seconds; Retry-After counts down while the wait holds, 0 after', async (t) => {
  const { app, clock } = await fleetApp(t)
  const down = app.health.runner.view('down').result!
  let e = await scrape(app)
  t.equal(valueOf(e, 'huntaze_health_check_last_observed_timestamp_seconds', { check: 'down' }), down.observedAt / 1000)
  t.equal(valueOf(e, 'huntaze_health_check_status_since_timestamp_seconds', { check: 'down' }), down.since / 1000)
  t.equal(valueOf(e, 'huntaze_health_check_retry_after_seconds', { check: 'limited', tier: 'optional' }), 30)
  t.equal(valueOf(e, 'huntaze_health_check_retry_after_seconds', { check: 'down' }), 0, 'no wait: 0')
  clock.advance(12_500)
  e = await scrape(app)
  t.equal(valueOf(e, 'huntaze_health_check_retry_after_seconds', { check: 'limited' }), 17.5, 'counts down')
  clock.advance(17_500)
  e = await scrape(app)
  t.equal(valueOf(e, 'huntaze_health_check_retry_after_seconds', { check: 'limited' }), 0, 'back to 0 once over')
  await app.inject('/health/down?fresh')
  const again = app.health.runner.view('down').result!
  e = await scrape(app)
  t.ok(again.observedAt > down.observedAt)
  t.equal(
    valueOf(e, 'huntaze_health_check_last_observed_timestamp_seconds', { check: 'down' }),
    again.observedAt / 1000,
  )
  t.equal(
    valueOf(e, 'huntaze_health_check_status_since_timestamp_seconds', { check: 'down' }),
    down.since / 1000,
    'still failing since then',
  )
})

t.test("probes by outcome and reason equal the runner's count; the histogram counts the same probes", async (t) => {
  const { app, clock } = await fleetApp(t)
  for (let i = 0; i < 3; i++) {
    clock.advance(10_000)
    await app.inject('/health/down?fresh')
    await app.inject('/health/ok?fresh')
  }
  const e = await scrape(app)
  const runner = app.health.runner
  t.equal(runner.probeCount('down'), 4)
  t.equal(
    valueOf(e, 'huntaze_health_probes_total', { check: 'down', tier: 'critical', outcome: 'fail', reason: 'REFUSED' }),
    4,
  )
  t.equal(
    valueOf(e, 'huntaze_health_probes_total', { check: 'ok', outcome: 'pass', reason: 'none' }),
    runner.probeCount('ok'),
  )
  t.equal(valueOf(e, 'huntaze_health_probes_total', { check: 'limited', outcome: 'warn', reason: 'RATE_LIMITED' }), 1)
  for (const check of ['down', 'ok', 'limited'])
    t.equal(valueOf(e, 'huntaze_health_probe_duration_seconds_count', { check }), runner.probeCount(check), check)
  t.equal(runner.probeCount('format'), 0)
  t.notOk(
    e.samples.some((s) => s.name.startsWith('huntaze_health_probe') && s.labels.check === 'format'),
    'a format-only check runs no probe and has none counted',
  )
  const buckets = e.samples.filter(
    (s) => s.name === 'huntaze_health_probe_duration_seconds_bucket' && s.labels.check === 'ok',
  )
  t.same(buckets.map((b) => b.labels.le).slice(0, 1), ['0.001'], 'buckets from 1 ms')
  t.equal(buckets.at(-2)?.labels.le, '10', 'to 10 s')
})

t.test('damping: the observed status shows the probe the reported status does not follow yet', async (t) => {
  let failing = false
  const flappy = synthetic('flappy', async () => {
    if (failing) throw new CheckError(Reason.TIMEOUT, 'no answer')
    return {}
  })
  const { app } = await appWith({ HEALTH_MIN_PROBE_INTERVAL_MS: '0', HEALTH_FAIL_AFTER: '2' }, { checks: [flappy.def] })
  t.teardown(() => app.close())
  await app.inject('/health/flappy')
  failing = true
  await app.inject('/health/flappy?fresh')
  const e = await scrape(app)
  t.equal(valueOf(e, 'huntaze_health_check_status', { check: 'flappy', status: 'pass' }), 1, 'held back')
  t.equal(valueOf(e, 'huntaze_health_check_observed_status', { check: 'flappy', status: 'fail' }), 1)
  t.equal(valueOf(e, 'huntaze_health_check_observed_status', { check: 'flappy', status: 'pass' }), 0)
  t.equal(valueOf(e, 'huntaze_health_probes_total', { check: 'flappy', outcome: 'fail', reason: 'TIMEOUT' }), 1)
})

t.test('requests by route pattern and code, 404s of unknown paths as one "unmatched" route', async (t) => {
  const { app } = await fleetApp(t)
  for (const path of ['/scan/a', '/scan/b', '/wp-admin', '/.env']) t.equal((await app.inject(path)).statusCode, 404)
  await app.inject('/health/nope')
  await app.inject({ method: 'HEAD', url: '/live' })
  const e = await scrape(app)
  const req = (route: string, code: string) => valueOf(e, 'huntaze_health_http_requests_total', { route, code })
  t.equal(req('unmatched', '404'), 4)
  t.equal(req('/health/:service', '404'), 1, "an unknown check is its route's 404")
  t.equal(req('/health/:service', '503'), 1, '/health/down')
  t.equal(req('/health/:service', '200'), 3, 'ok, limited (warn) and format')
  t.equal(req('/live', '200'), 1)
  const routes = new Set(
    e.samples.filter((s) => s.name === 'huntaze_health_http_requests_total').map((s) => s.labels.route),
  )
  t.same([...routes].sort(), ['/health/:service', '/live', 'unmatched'], 'no path of a scanner is a label')
  const next = await scrape(app)
  t.equal(
    valueOf(next, 'huntaze_health_http_requests_total', { route: '/metrics', code: '200' }),
    1,
    'scrapes count too',
  )
})

t.test('answers from the rendered bytes against answers rendered anew', async (t) => {
  const { app } = await fleetApp(t)
  // rendered once at the runner's current version
  await app.inject('/health/ok')
  await app.inject('/ready')
  const before = await scrape(app)
  const cached = valueOf(before, 'huntaze_health_answers_total', { source: 'cache' })!
  const rendered = valueOf(before, 'huntaze_health_answers_total', { source: 'render' })!
  t.equal(rendered, app.health.rendered.renders)
  t.equal(cached, app.health.rendered.hits)
  for (let i = 0; i < 5; i++) await app.inject('/health/ok')
  await app.inject('/ready')
  const after = await scrape(app)
  t.equal(valueOf(after, 'huntaze_health_answers_total', { source: 'cache' }), cached + 6, 'six answers from bytes')
  t.equal(valueOf(after, 'huntaze_health_answers_total', { source: 'render' }), rendered, 'none rendered')
  await app.inject('/ready?verbose')
  const text = await scrape(app)
  t.equal(valueOf(text, 'huntaze_health_answers_total', { source: 'render' }), rendered + 1, 'another view is rendered')
})

t.test('scraping never probes, even when every cached result has expired', async (t) => {
  const { app, clock, f } = await fleetApp(t)
  const runs = () => Object.values(f).map((c) => c.stats.runs)
  const before = runs()
  const probes = app.health.runner.definitions.map((d) => app.health.runner.probeCount(d.name))
  clock.advance(3_600_000)
  for (let i = 0; i < 50; i++) t.equal((await app.inject('/metrics')).statusCode, 200)
  t.same(runs(), before)
  t.same(
    app.health.runner.definitions.map((d) => app.health.runner.probeCount(d.name)),
    probes,
  )
  t.notOk(
    app.health.runner.definitions.some((d) => app.health.runner.view(d.name).result === undefined && d.name !== 'idle'),
  )
})

t.test('no token needed and none checked: a wrong Authorization header is still the metrics', async (t) => {
  const { app } = await fleetApp(t, { HEALTH_DETAILS: 'authorized', HEALTH_AUTH_TOKENS: bearerToken() })
  for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', 'Basic eDp5']) {
    const res = await app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} })
    t.equal(res.statusCode, 200, String(authorization))
    t.equal(res.headers.vary, undefined)
  }
})

t.test('no secret and no output in the exposition', async (t) => {
  const stripe = `sk_test_${'Q7vLm2Xp9RtZk4Wn8Yb3Hc6Jd'}`
  const leaky = synthetic('leaky', async () => {
    throw new CheckError(Reason.AUTH_FAILED, `the key ${stripe} was refused by the provider`)
  })
  const { app } = await appWith({ STRIPE_SECRET_KEY: stripe }, { checks: [leaky.def] })
  t.teardown(() => app.close())
  await app.inject('/health/leaky')
  const body = (await app.inject('/metrics')).body
  t.same(tellsIn([echoed(stripe, 'STRIPE_SECRET_KEY')], body), [])
  t.notMatch(body, /refused by the provider/, 'no output in any series')
  t.equal(valueOf(parseExposition(body), 'huntaze_health_check_reason', { check: 'leaky', reason: 'AUTH_FAILED' }), 1)
})

t.test('webhook deliveries: 0 without a notifier, its counts and queue with one', async (t) => {
  const { app } = await fleetApp(t)
  let e = await scrape(app)
  t.equal(valueOf(e, 'huntaze_health_notifications_total', { outcome: 'delivered' }), 0)
  t.equal(valueOf(e, 'huntaze_health_notifications_queued'), 0)
  app.health.notifier = { counts: { delivered: 7, failed: 1, retried: 3, dropped: 2 }, queued: 4 }
  e = await scrape(app)
  for (const [outcome, n] of Object.entries({ delivered: 7, failed: 1, retried: 3, dropped: 2 }))
    t.equal(valueOf(e, 'huntaze_health_notifications_total', { outcome }), n, outcome)
  t.equal(valueOf(e, 'huntaze_health_notifications_queued'), 4)
  t.equal(valueOf(e, 'huntaze_health_probe_thread_restarts_total'), 0, 'probes run in this thread here')
})

t.test('two apps in one process keep their series apart', async (t) => {
  const a = await fleetApp(t)
  const b = await appWith({}, { checks: [synthetic('other', async () => ({})).def] })
  t.teardown(() => b.app.close())
  const e = await scrape(b.app)
  t.equal(valueOf(e, 'huntaze_health_check_observed', { check: 'down' }), undefined)
  t.equal(valueOf(e, 'huntaze_health_check_observed', { check: 'other' }), 0)
  t.equal(valueOf(await scrape(a.app), 'huntaze_health_check_observed', { check: 'other' }), undefined)
})

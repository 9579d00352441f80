import { MARGIN_MS } from '../support/probe.js'
import t from 'tap'
import { CheckError, type Observation } from '../../src/checks/types.js'
import { aggregate } from '../../src/engine/aggregate.js'
import { Reason } from '../../src/reasons.js'
import { appWith } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'
import { deferred, delay, logLines, one, runnerWith, settle } from '../support/engine.js'

t.test('all checks run in parallel: ten 100 ms probes take about 100 ms, not 1 s', async (t) => {
  const made = Array.from({ length: 10 }, (_, i) => synthetic(`slow-${i}`, (signal) => delay(100, signal)))
  const { runner } = runnerWith(
    t,
    made.map((m) => m.def),
  )
  const started = performance.now()
  const results = await runner.collect(made.map((m) => m.def.name))
  const elapsed = performance.now() - started
  t.ok(elapsed < 600, `took ${Math.round(elapsed)} ms`)
  t.ok(elapsed >= 90, 'the probes really waited')
  t.same(
    results.map((r) => r.status),
    Array(10).fill('pass'),
  )
  t.same(
    results.map((r) => r.name),
    made.map((m) => m.def.name),
    'results in the order asked',
  )
  for (const m of made) t.equal(m.stats.runs, 1)
})

t.test('every result says when it was observed and how long it took', async (t) => {
  const { def } = synthetic('observed', (signal) => delay(20, signal))
  const { runner } = runnerWith(t, [def])
  const before = Date.now()
  const r = await one(runner, 'observed')
  t.ok(r.observedAt >= before && r.observedAt <= Date.now())
  t.ok(r.durationMs >= 15, `durationMs ${r.durationMs}`)
  t.equal(r.expiresAt - r.observedAt, runner.ttlOf(def))
})

t.test('single-flight: 100 concurrent requests cause exactly one probe', async (t) => {
  const gate = deferred<Observation>()
  const { def, stats } = synthetic('sf', () => gate.promise)
  const { runner } = runnerWith(t, [def])
  const calls = Array.from({ length: 100 }, () => runner.get('sf'))
  t.ok(
    calls.every((c) => c instanceof Promise),
    'nothing cached yet: every caller waits',
  )
  t.equal(runner.probeCount('sf'), 1)
  gate.resolve({ details: { n: 1 } })
  const results = await Promise.all(calls)
  t.equal(runner.probeCount('sf'), 1)
  t.equal(stats.started, 1, 'the client is created once')
  t.ok(
    results.every((r) => r === results[0]),
    'every caller gets the same result',
  )
})

t.test('single-flight through the app: 100 concurrent /health/:service requests cause one probe', async (t) => {
  const { def } = synthetic('sf-app', (signal) => delay(100, signal))
  const { app } = await appWith({}, { checks: [def] })
  t.teardown(() => app.close())
  const replies = await Promise.all(Array.from({ length: 100 }, () => app.inject({ url: '/health/sf-app' })))
  t.same([...new Set(replies.map((r) => r.statusCode))], [200])
  t.equal(app.health.runner.probeCount('sf-app'), 1)
})

t.test('cache lifetime: within the TTL no probe, after it a probe', async (t) => {
  const { def } = synthetic('ttl', async (_s, n) => ({ details: { n } }), { cacheTtlMs: 50 })
  const clock = new ManualClock()
  const { runner } = runnerWith(t, [def], { HEALTH_MAX_STALE_MS: '0' }, { clock })
  const first = await one(runner, 'ttl')
  const cached = runner.get('ttl')
  t.notOk(cached instanceof Promise, 'answered synchronously from the cache')
  t.equal(cached, first)
  t.equal(runner.probeCount('ttl'), 1)
  clock.advance(70)
  const next = runner.get('ttl')
  t.ok(next instanceof Promise, 'expired: a new probe')
  const r = await next
  t.equal(runner.probeCount('ttl'), 2)
  t.equal(r.details?.n, 2)
  t.ok(r.observedAt > first.observedAt)
})

t.test('default cache lifetimes: infrastructure short, third-party long', async (t) => {
  const live = synthetic('live-ttl', async () => ({})).def
  const third = synthetic('third-ttl', async () => ({}), { cache: 'third-party' }).def
  const { runner } = runnerWith(t, [live, third], {
    HEALTH_CACHE_TTL_MS: '1234',
    HEALTH_THIRD_PARTY_CACHE_TTL_MS: '98765',
  })
  const [a, b] = await runner.collect(['live-ttl', 'third-ttl'])
  t.equal(a.expiresAt - a.observedAt, 1234)
  t.equal(b.expiresAt - b.observedAt, 98765)
})

t.test('stale-while-revalidate: an expired result is served at once while one refresh runs', async (t) => {
  const gate = deferred<Observation>()
  const { def } = synthetic('swr', (_s, n) => (n === 1 ? Promise.resolve({ details: { n } }) : gate.promise), {
    cacheTtlMs: 30,
  })
  const clock = new ManualClock()
  const { runner } = runnerWith(t, [def], {}, { clock })
  await one(runner, 'swr')
  clock.advance(50)
  const stale = runner.collect(['swr'])
  t.ok(Array.isArray(stale), 'collect answers synchronously')
  if (!Array.isArray(stale)) return gate.resolve({})
  t.equal(stale[0].details?.n, 1, 'with the stale result')
  t.equal(runner.probeCount('swr'), 2, 'and one refresh started')
  const version = runner.version
  gate.resolve({ details: { n: 2 } })
  await settle(t, () => runner.version > version, 'the refresh completes')
  const next = runner.collect(['swr'])
  t.ok(Array.isArray(next))
  if (Array.isArray(next)) t.equal(next[0].details?.n, 2, 'the next call sees the new result')
  t.equal(runner.probeCount('swr'), 2)
})

t.test('stale-while-revalidate: every caller gets the stale result at once while the refresh runs', async (t) => {
  const gate = deferred<Observation>()
  const { def } = synthetic('swr-many', (_s, n) => (n === 1 ? Promise.resolve({ details: { n } }) : gate.promise), {
    cacheTtlMs: 30,
  })
  const clock = new ManualClock()
  const { runner } = runnerWith(t, [def], {}, { clock })
  await one(runner, 'swr-many')
  clock.advance(50)
  const answers = Array.from({ length: 10 }, () => runner.collect(['swr-many']))
  t.equal(answers.filter((a) => a instanceof Promise).length, 0, 'no caller waits for the refresh')
  t.equal(runner.probeCount('swr-many'), 2, 'exactly one refresh')
  gate.resolve({ details: { n: 2 } })
  await Promise.all(answers)
})

t.test('HEALTH_MAX_STALE_MS=0: an expired result is not served, the caller waits for the probe', async (t) => {
  const { def } = synthetic('no-stale', async (_s, n) => ({ details: { n } }), { cacheTtlMs: 30 })
  const clock = new ManualClock()
  const { runner } = runnerWith(t, [def], { HEALTH_MAX_STALE_MS: '0' }, { clock })
  await one(runner, 'no-stale')
  clock.advance(50)
  const got = runner.collect(['no-stale'])
  t.ok(got instanceof Promise, 'waits')
  const [r] = await got
  t.equal(r.details?.n, 2)
})

t.test('a result older than HEALTH_MAX_STALE_MS past its lifetime is not served', async (t) => {
  const { def } = synthetic('too-stale', async (_s, n) => ({ details: { n } }), { cacheTtlMs: 20 })
  const clock = new ManualClock()
  const { runner } = runnerWith(t, [def], { HEALTH_MAX_STALE_MS: '20' }, { clock })
  await one(runner, 'too-stale')
  clock.advance(80)
  const got = runner.get('too-stale')
  t.ok(got instanceof Promise)
  t.equal((await got).details?.n, 2)
})

t.test(
  'fresh forces a probe, never more often than HEALTH_MIN_PROBE_INTERVAL_MS, and concurrent fresh requests share it',
  async (t) => {
    const gate = deferred<Observation>()
    const { def } = synthetic('fresh', (_s, n) => (n === 2 ? gate.promise : Promise.resolve({ details: { n } })), {
      cacheTtlMs: 60_000,
    })
    const clock = new ManualClock()
    const { runner } = runnerWith(t, [def], { HEALTH_MIN_PROBE_INTERVAL_MS: '60' }, { clock })
    const first = await one(runner, 'fresh')
    const tooSoon = runner.get('fresh', { fresh: true })
    t.equal(tooSoon, first, 'within the interval: the cached result')
    t.equal(runner.probeCount('fresh'), 1)
    clock.advance(80)
    const calls = Array.from({ length: 20 }, () => runner.get('fresh', { fresh: true }))
    t.ok(calls.every((c) => c instanceof Promise))
    t.equal(runner.probeCount('fresh'), 2, 'twenty fresh requests, one probe')
    gate.resolve({ details: { n: 2 } })
    const results = await Promise.all(calls)
    t.ok(results.every((r) => r.details?.n === 2))
    t.notOk(runner.get('fresh', { fresh: true }) instanceof Promise, 'and again not before the interval')
    t.equal(runner.probeCount('fresh'), 2)
  },
)

t.test('fresh through the app: ?fresh and Cache-Control: no-cache share one probe', async (t) => {
  const { def } = synthetic('fresh-app', (signal) => delay(50, signal), { cacheTtlMs: 60_000 })
  const { app } = await appWith({ HEALTH_MIN_PROBE_INTERVAL_MS: '0' }, { checks: [def] })
  t.teardown(() => app.close())
  await app.inject({ url: '/health/fresh-app' })
  await app.inject({ url: '/health/fresh-app' })
  t.equal(app.health.runner.probeCount('fresh-app'), 1, 'cached without fresh')
  const replies = await Promise.all([
    ...Array.from({ length: 25 }, () => app.inject({ url: '/health/fresh-app?fresh=1' })),
    ...Array.from({ length: 25 }, () =>
      app.inject({ url: '/health/fresh-app', headers: { 'cache-control': 'no-cache' } }),
    ),
  ])
  t.same([...new Set(replies.map((r) => r.statusCode))], [200])
  t.equal(app.health.runner.probeCount('fresh-app'), 2)
})

t.test('timeout: a probe that never answers gets TIMEOUT on time and its signal is aborted', async (t) => {
  const { def, stats } = synthetic(
    'hang',
    (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
    { timeoutMs: 80 },
  )
  const { runner } = runnerWith(t, [def])
  const started = performance.now()
  const r = await one(runner, 'hang')
  const elapsed = performance.now() - started
  t.equal(r.status, 'fail')
  t.equal(r.reason, Reason.TIMEOUT)
  t.ok(elapsed >= 75 && elapsed < 80 + MARGIN_MS, `answered after ${Math.round(elapsed)} ms`)
  t.equal(stats.signals[0]?.aborted, true, 'the probe was told to stop')
  t.match(r.output, /80ms/)
})

t.test('timeout: a probe that ignores the signal still gets its answer on time', async (t) => {
  const { def, stats } = synthetic('deaf', () => new Promise<Observation>(() => undefined), { timeoutMs: 60 })
  const { runner } = runnerWith(t, [def])
  const started = performance.now()
  const r = await one(runner, 'deaf')
  const elapsed = performance.now() - started
  t.equal(r.reason, Reason.TIMEOUT)
  t.ok(elapsed < 60 + MARGIN_MS, `answered after ${Math.round(elapsed)} ms`)
  t.equal(stats.signals[0]?.aborted, true)
})

t.test('the check timeout defaults to HEALTH_TIMEOUT_MS', async (t) => {
  const { def } = synthetic('default-timeout', (signal) => delay(10_000, signal))
  const { runner } = runnerWith(t, [def], { HEALTH_TIMEOUT_MS: '50' })
  t.equal(runner.timeoutOf(def), 50)
  const started = performance.now()
  t.equal((await one(runner, 'default-timeout')).reason, Reason.TIMEOUT)
  t.ok(performance.now() - started < 50 + 300)
})

t.test('RATE_LIMITED is a warn, and its retryAfterMs blocks probes until it passes, even with fresh', async (t) => {
  const { def } = synthetic(
    'limited',
    async (_s, n) => {
      if (n === 1) throw new CheckError(Reason.RATE_LIMITED, 'HTTP 429 Too Many Requests', { retryAfterMs: 200 })
      return { details: { n } }
    },
    { cacheTtlMs: 10 },
  )
  const clock = new ManualClock()
  const { runner } = runnerWith(t, [def], { HEALTH_MIN_PROBE_INTERVAL_MS: '0', HEALTH_MAX_STALE_MS: '0' }, { clock })
  const started = clock.now()
  const r = await one(runner, 'limited')
  t.equal(r.status, 'warn')
  t.equal(r.reason, Reason.RATE_LIMITED)
  t.equal(aggregate([r]), 'warn', 'a 429 of a critical check is not an outage')
  t.notOk(runner.get('limited', { fresh: true }) instanceof Promise, 'fresh right away: no probe')
  clock.advance(40)
  t.notOk(runner.get('limited') instanceof Promise, 'past the TTL but before Retry-After: no probe')
  t.notOk(runner.get('limited', { fresh: true }) instanceof Promise, 'nor with fresh')
  t.equal(runner.probeCount('limited'), 1)
  clock.set(started + 230)
  const after = await one(runner, 'limited', { fresh: true })
  t.equal(runner.probeCount('limited'), 2, 'after Retry-After a probe runs')
  t.equal(after.status, 'pass')
})

t.test('retryAfterMs of an observation blocks probes too', async (t) => {
  const { def } = synthetic(
    'limited-obs',
    async (_s, n) => ({
      status: 'warn',
      reason: Reason.RATE_LIMITED,
      output: 'slow down',
      retryAfterMs: 60_000,
      details: { n },
    }),
    { cacheTtlMs: 10 },
  )
  const clock = new ManualClock()
  const { runner } = runnerWith(t, [def], { HEALTH_MIN_PROBE_INTERVAL_MS: '0', HEALTH_MAX_STALE_MS: '0' }, { clock })
  const r = await one(runner, 'limited-obs')
  t.equal(r.status, 'warn')
  clock.advance(30)
  t.notOk(runner.get('limited-obs', { fresh: true }) instanceof Promise)
  t.equal(runner.probeCount('limited-obs'), 1)
})

t.test('status transitions are logged once per change', async (t) => {
  const sequence: ('pass' | 'fail')[] = ['pass', 'pass', 'fail', 'fail', 'pass']
  const { def } = synthetic('flappy', async (_s, n) => {
    if (sequence[n - 1] === 'fail') throw new CheckError(Reason.REFUSED, 'connection refused')
    return {}
  })
  const { runner, logs } = runnerWith(t, [def], { HEALTH_MIN_PROBE_INTERVAL_MS: '0' })
  for (let i = 0; i < sequence.length; i++) await one(runner, 'flappy', { fresh: true })
  t.equal(runner.probeCount('flappy'), sequence.length)
  await new Promise((r) => setImmediate(r))
  const changes = logLines(logs).filter((l) => l.msg === 'check status changed' && l.check === 'flappy')
  t.same(
    changes.map((l) => [l.previous, l.status]),
    [
      [null, 'pass'],
      ['pass', 'fail'],
      ['fail', 'pass'],
    ],
  )
  t.equal(changes[1]?.reason, Reason.REFUSED, 'with the reason')
  t.equal(changes[1]?.level, 40, 'a failure is logged as a warning')
})

t.test('two apps never share a cache', async (t) => {
  const { def, stats } = synthetic('shared-def', async (_s, n) => ({ details: { n } }))
  const one1 = await appWith({}, { checks: [def] })
  const two = await appWith({}, { checks: [def] })
  t.teardown(async () => {
    await one1.app.close()
    await two.app.close()
  })
  await one1.app.inject({ url: '/health/shared-def' })
  await one1.app.inject({ url: '/health/shared-def' })
  t.equal(one1.app.health.runner.probeCount('shared-def'), 1)
  t.equal(two.app.health.runner.probeCount('shared-def'), 0, 'the second app has probed nothing')
  await two.app.inject({ url: '/health/shared-def' })
  t.equal(two.app.health.runner.probeCount('shared-def'), 1)
  t.equal(stats.started, 2, 'each app has its own client')
})

t.test('close() closes every started probe, once', async (t) => {
  const made = ['c1', 'c2', 'c3'].map((n) => synthetic(n, async () => ({})))
  const never = synthetic('never', async () => ({}), { tier: 'optional', settings: ['SENTRY_DSN'] })
  const { runner } = runnerWith(t, [...made.map((m) => m.def), never.def])
  await runner.collect(['c1', 'c2', 'c3', 'never'])
  await runner.close()
  await runner.close()
  for (const m of made) t.equal(m.stats.closed, 1, m.def.name)
  t.equal(never.stats.started, 0)
})

t.test('after close() no probe runs: SHUTTING_DOWN', async (t) => {
  const { def, stats } = synthetic('late', async () => ({}))
  const { runner } = runnerWith(t, [def], { HEALTH_MIN_PROBE_INTERVAL_MS: '0' })
  await one(runner, 'late')
  await runner.close()
  const r = await one(runner, 'late', { fresh: true })
  t.equal(r.reason, Reason.SHUTTING_DOWN)
  t.equal(stats.runs, 1)
})

t.test('app.close() closes the probes', async (t) => {
  const { def, stats } = synthetic('app-closed', async () => ({}))
  const { app } = await appWith({}, { checks: [def] })
  await app.inject({ url: '/health/app-closed' })
  await app.close()
  t.equal(stats.closed, 1)
})

t.test(
  'validUntil: the next expiry, then, while the refresh runs, the end of the stale window; a new result bumps the version',
  async (t) => {
    const gate = deferred<Observation>()
    const { def } = synthetic('until', (_s, n) => (n === 1 ? Promise.resolve({ details: { n } }) : gate.promise), {
      cacheTtlMs: 30,
    })
    const clock = new ManualClock()
    const { runner } = runnerWith(t, [def], { HEALTH_MAX_STALE_MS: '200' }, { clock })
    const t0 = clock.now()
    t.equal(runner.validUntil(['until'], t0), t0, 'no result yet: now')
    const [first] = await runner.collect(['until'])
    t.equal(runner.validUntil(['until'], first.observedAt), first.expiresAt, 'fresh: until it expires')
    clock.advance(50)
    const now = clock.now()
    t.equal(runner.validUntil(['until'], now), now, 'expired with no refresh running: nothing can be kept')
    void runner.collect(['until'])
    t.equal(runner.probeCount('until'), 2, 'collect started the refresh')
    t.equal(
      runner.validUntil(['until'], now),
      first.expiresAt + 200 + 1,
      'refresh running: until the stale result may no longer be served',
    )
    t.equal(
      runner.validUntil(['until'], first.expiresAt + 201),
      first.expiresAt + 201,
      'past that: nothing can be kept',
    )
    const version = runner.version
    gate.resolve({ details: { n: 2 } })
    await settle(t, () => runner.version > version, 'the refresh lands and bumps the version')
    t.ok(runner.validUntil(['until']) > clock.now(), 'fresh again')
  },
)

t.test('validUntil: a Retry-After wait keeps the answer past the expiry until the wait ends', async (t) => {
  const { def } = synthetic(
    'until-429',
    async () => ({ status: 'warn', reason: Reason.RATE_LIMITED, output: 'slow down', retryAfterMs: 300 }),
    { cacheTtlMs: 10 },
  )
  const { runner } = runnerWith(t, [def])
  const [r] = await runner.collect(['until-429'])
  const until = runner.validUntil(['until-429'], r.observedAt)
  t.ok(until > r.observedAt + 10, 'not at the end of the 10 ms lifetime: no probe may run then')
  t.ok(until >= r.observedAt + 250 && until <= r.observedAt + 600, `about the Retry-After (${until - r.observedAt} ms)`)
})

t.test('a result lives its whole lifetime from when it lands: a slow start or probe does not use it up', async (t) => {
  const clock = new ManualClock()
  const { def } = synthetic(
    'slow-landing',
    async () => {
      // the probe (or the check's first start) takes longer than the cache lifetime
      clock.advance(150)
      return {}
    },
    { cacheTtlMs: 100 },
  )
  const { runner } = runnerWith(t, [def], { HEALTH_MAX_STALE_MS: '0' }, { clock })
  const first = await one(runner, 'slow-landing')
  t.equal(first.expiresAt - first.observedAt, 100)
  t.equal(first.observedAt, clock.now(), 'stamped when it landed')
  t.equal(runner.get('slow-landing'), first, 'the next request is answered from the cache')
  t.equal(runner.probeCount('slow-landing'), 1)
  t.ok(first.durationMs >= 0, 'the duration is still measured from the start')
})

t.test('a fault of the service itself is kept one infrastructure lifetime, never a third-party one', async (t) => {
  const thirdParty = { cache: 'third-party' as const }
  const { def: interrupted } = synthetic(
    'interrupted',
    async () => {
      throw new CheckError(Reason.INTERRUPTED, 'the probe thread was busy past the timeout')
    },
    thirdParty,
  )
  const { def: bug } = synthetic(
    'bug',
    async () => {
      throw new TypeError('cannot read properties of undefined')
    },
    thirdParty,
  )
  const { def: refused } = synthetic(
    'refused',
    async () => {
      throw new CheckError(Reason.REFUSED, 'connection refused')
    },
    thirdParty,
  )
  const { runner } = runnerWith(t, [interrupted, bug, refused], {
    HEALTH_CACHE_TTL_MS: '5000',
    HEALTH_THIRD_PARTY_CACHE_TTL_MS: '300000',
  })
  const kept = async (name: string) => {
    const r = await one(runner, name)
    return { reason: r.reason, ms: r.expiresAt - r.observedAt }
  }
  t.same(await kept('interrupted'), { reason: Reason.INTERRUPTED, ms: 5000 })
  t.same(await kept('bug'), { reason: Reason.INTERNAL, ms: 5000 })
  t.same(await kept('refused'), { reason: Reason.REFUSED, ms: 300000 }, "a dependency's own failure keeps its lifetime")
})

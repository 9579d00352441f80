import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { CheckError } from '../../src/checks/types.js'
import { MINUTE_MS } from '../../src/engine/history.js'
import { Reason } from '../../src/reasons.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'
import { validateBody } from '../support/contract.js'
import { appWith, bearerToken } from '../support/helpers.js'
import { echoed, tellsIn } from '../support/secrets.js'

const PATH = '/health/{service}/history'
const TOKEN = bearerToken()

// A check that passes, except the probes numbered in `failing`, which are refused with an output naming a host.
function flaky(name: string, failing: readonly number[]) {
  return synthetic(name, async (_signal, n) => {
    if (failing.includes(n)) throw new CheckError(Reason.REFUSED, `connection refused 10.0.0.7:6379 (probe ${n})`)
    return {}
  })
}

// The history as a client reads it, checked against openapi.yaml.
async function historyOf(t: Test, app: FastifyInstance, name: string, opts: { query?: string; auth?: string } = {}) {
  const res = await app.inject({
    url: `/health/${name}/history${opts.query ?? ''}`,
    headers: opts.auth === undefined ? {} : { authorization: opts.auth },
  })
  t.equal(res.statusCode, 200, `${name}: 200`)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8', 'plain JSON')
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.headers.vary, /Authorization/)
  const body = res.json()
  t.same(validateBody(PATH, 200, String(res.headers['content-type']), body), [], `${name}: per contract`)
  return body
}

t.test('a check never observed answers an empty history, and asking for it probes nothing', async (t) => {
  const c = flaky('quiet', [])
  const { app } = await appWith({}, { checks: [c.def] })
  t.teardown(() => app.close())
  const body = await historyOf(t, app, 'quiet')
  t.same(body, {
    check: 'quiet',
    tier: 'critical',
    status: null,
    since: null,
    observedStatus: null,
    consecutive: null,
    uptime: { '1h': null, '24h': null },
    transitions: [],
    minutes: [],
  })
  t.equal(c.stats.runs, 0, 'no probe')
  t.equal(app.health.runner.probeCount('quiet'), 0)
})

t.test('the history of probes: the same damped status as /health/{service}, transitions and minutes', async (t) => {
  const clock = new ManualClock()
  const c = flaky('cache', [2, 3])
  const { app } = await appWith(
    { HEALTH_MIN_PROBE_INTERVAL_MS: '0', HEALTH_RECOVER_AFTER: '2' },
    { checks: [c.def], clock },
  )
  t.teardown(() => app.close())
  const started = clock.now()
  // probes 1 pass, 2 and 3 fail, 4 pass (held back: recovery needs 2), 5 pass; ten seconds apart
  for (let i = 0; i < 5; i++) {
    if (i > 0) clock.advance(10_000)
    t.equal((await app.inject('/health/cache?fresh')).statusCode, i >= 1 && i <= 3 ? 503 : 200, `probe ${i + 1}`)
  }
  const one = (await app.inject('/health/cache')).json().checks['cache:responseTime'][0]
  const body = await historyOf(t, app, 'cache')
  t.same(
    [body.status, body.since, body.observedStatus, body.consecutive],
    [one.status, one.since, one.observedStatus, one.consecutive],
    'what /health/{service} reports',
  )
  const iso = (ms: number) => new Date(ms).toISOString()
  t.same(body.transitions, [
    { at: iso(started + 40_000), from: 'fail', to: 'pass', since: iso(started + 30_000) },
    {
      at: iso(started + 10_000),
      from: 'pass',
      to: 'fail',
      reason: 'REFUSED',
      output: 'connection refused 10.0.0.7:6379 (probe 2)',
      since: iso(started + 10_000),
    },
    { at: iso(started), from: null, to: 'pass', since: iso(started) },
  ])
  t.equal(body.minutes.length, 1)
  t.match(body.minutes[0], { start: iso(started), pass: 2, warn: 0, fail: 3, skipped: 0 })
  t.equal(body.uptime['1h'], 2 / 5, 'the held-back pass counts as the fail it reported')
  t.equal(body.uptime['24h'], 2 / 5)
})

t.test(
  '?minutes lists the last N minutes; a bad value is a 400, an unknown check the 404 with the names',
  async (t) => {
    const clock = new ManualClock()
    const c = flaky('minutely', [])
    const { app } = await appWith({ HEALTH_MIN_PROBE_INTERVAL_MS: '0' }, { checks: [c.def], clock })
    t.teardown(() => app.close())
    // one probe a minute for 90 minutes
    for (let i = 0; i < 90; i++) {
      await app.inject('/health/minutely?fresh')
      clock.advance(MINUTE_MS)
    }
    const now = Math.floor(clock.now() / MINUTE_MS) * MINUTE_MS
    const listed = async (query: string) =>
      ((await historyOf(t, app, 'minutely', { query })).minutes as { start: string }[]).map((m) => m.start)
    const def = await listed('')
    t.equal(def.length, 59, 'by default the last 60 minutes; the current one has no result yet')
    t.equal(def[0], new Date(now - MINUTE_MS).toISOString(), 'newest first')
    t.equal((await listed('?minutes=1440')).length, 90)
    t.same(await listed('?minutes=2'), [new Date(now - MINUTE_MS).toISOString()])
    t.same(await listed('?minutes=0'), [])
    for (const q of ['minutes=x', 'minutes=-1', 'minutes=1441', 'minutes=1.5', 'minutes=1&minutes=2']) {
      const res = await app.inject(`/health/minutely/history?${q}`)
      t.equal(res.statusCode, 400, q)
      t.same(validateBody(PATH, 400, String(res.headers['content-type']), res.json()), [], `${q}: per contract`)
    }
    for (const name of ['nope', 'history', 'x'.repeat(90)]) {
      const res = await app.inject(`/health/${name}/history?minutes=x`)
      t.equal(res.statusCode, 404, `${name.slice(0, 10)}: 404`)
      t.same(res.json().known, ['minutely'])
      t.same(validateBody(PATH, 404, String(res.headers['content-type']), res.json()), [], 'per contract')
    }
    const nested = await app.inject('/health/minutely/history/more')
    t.equal(nested.statusCode, 404, 'nothing under the history')
    t.equal((await app.inject('/health/minutely')).statusCode, 200, '/health/{service} still answers')
  },
)

t.test('the history never probes, however often it is asked and however old the cached result', async (t) => {
  const clock = new ManualClock()
  const c = flaky('untouched', [])
  const { app } = await appWith({ HEALTH_MAX_STALE_MS: '0' }, { checks: [c.def], clock })
  t.teardown(() => app.close())
  await app.inject('/health/untouched')
  const probes = app.health.runner.probeCount('untouched')
  t.equal(probes, 1)
  for (let i = 0; i < 200; i++) {
    const res = await app.inject({
      url: `/health/untouched/history${i % 2 ? '?fresh=1' : ''}`,
      headers: i % 3 ? {} : { 'cache-control': 'no-cache' },
    })
    if (res.statusCode !== 200) t.fail(`request ${i}: ${res.statusCode}`)
    clock.advance(30_000)
  }
  t.equal(app.health.runner.probeCount('untouched'), probes, 'no probe over 200 requests and 100 minutes')
  t.equal(c.stats.runs, 1)
})

t.test('HEALTH_DETAILS=authorized: outputs only for a token; a wrong token is a 401', async (t) => {
  const c = flaky('guarded', [1])
  const { app } = await appWith({ HEALTH_DETAILS: 'authorized', HEALTH_AUTH_TOKENS: TOKEN }, { checks: [c.def] })
  t.teardown(() => app.close())
  await app.inject('/health/guarded')
  const full = await historyOf(t, app, 'guarded', { auth: `Bearer ${TOKEN}` })
  t.equal(full.transitions[0].output, 'connection refused 10.0.0.7:6379 (probe 1)')
  t.notOk('detailsWithheld' in full)
  const anonymous = await historyOf(t, app, 'guarded')
  t.equal(anonymous.detailsWithheld, true)
  const { output, ...rest } = full.transitions[0]
  t.ok(output)
  t.same(anonymous.transitions[0], rest, 'the reason code stays, the output goes')
  t.notMatch(JSON.stringify(anonymous), /10\.0\.0\.7|refused/, 'nothing of the output')
  t.same(anonymous.minutes, full.minutes, 'counts and timings are shown to all')
  const wrong = await app.inject({
    url: '/health/guarded/history',
    headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}X` },
  })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.headers['www-authenticate'], 'Bearer realm="huntaze-health"')
  t.same(validateBody(PATH, 401, String(wrong.headers['content-type']), wrong.json()), [], 'per contract')
})

t.test('an output that echoes a secret setting arrives scrubbed, across the cut too', async (t) => {
  const value = 'Qx7pL2mN8rT4/vW6yZ+0aB3Jk9'
  const secret = echoed(value, 'JWT_SECRET')
  // the second check's output puts the secret across the 300th character, where the history cuts it
  const leaky = (name: string, filler: string) =>
    synthetic(name, async () => {
      throw new CheckError(Reason.AUTH_FAILED, `${filler}bad secret ${value}, said the provider`)
    }).def
  const { app } = await appWith(
    { JWT_SECRET: value },
    { checks: [leaky('leaky', ''), leaky('leaky-long', 'x'.repeat(300 - 'bad secret '.length - 10))] },
  )
  t.teardown(() => app.close())
  await app.inject('/health')
  for (const name of ['leaky', 'leaky-long']) {
    const body = await historyOf(t, app, name)
    t.match(body.transitions[0].output, /bad secret/, `${name}: the output is there`)
    t.same(tellsIn([secret], JSON.stringify(body)), [], `${name}: no part of the secret`)
    t.equal(body.transitions[0].output.endsWith('…'), name === 'leaky-long', `${name}: cut only if long`)
  }
})

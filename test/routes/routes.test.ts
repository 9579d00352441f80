import t from 'tap'
import { appWith } from '../support/helpers.js'
import { validateBody } from '../support/contract.js'
import { CheckError, type CheckDefinition } from '../../src/checks/types.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'
import { settle } from '../support/engine.js'
import { Reason } from '../../src/reasons.js'

const ok = (name: string, tier: CheckDefinition['tier']): CheckDefinition =>
  synthetic(name, async () => ({ details: { n: 1 } }), { tier }).def
const down = (name: string, tier: CheckDefinition['tier']): CheckDefinition =>
  synthetic(
    name,
    async () => {
      throw new CheckError(Reason.REFUSED, `connection refused for ${name}`)
    },
    { tier },
  ).def

const json = (body: string) => JSON.parse(body)

t.test('/live answers without touching any dependency', async (t) => {
  const { def: counting, stats } = synthetic('counting', async () => ({}))
  const { app } = await appWith({}, { checks: [counting] })
  t.teardown(() => app.close())
  const res = await app.inject('/live')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/health\+json/)
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(json(res.body).status, 'pass')
  t.same(validateBody('/live', 200, res.headers['content-type'] as string, json(res.body)), [])
  t.equal(stats.runs, 0)
  const head = await app.inject({ method: 'HEAD', url: '/live' })
  t.equal(head.statusCode, 200)
  t.equal(head.body, '')
})

t.test(
  "/serving is this instance's own readiness: 200 while a critical dependency fails, 503 once shutdown begins",
  async (t) => {
    const { def: failing, stats } = synthetic('crit', async () => {
      throw new CheckError(Reason.REFUSED, 'connection refused')
    })
    const { app } = await appWith({}, { checks: [{ ...failing, tier: 'critical' }] })
    t.teardown(() => app.close())
    t.equal((await app.inject('/ready')).statusCode, 503, 'the platform is not ready')
    const res = await app.inject('/serving')
    t.equal(res.statusCode, 200, 'the health service itself is')
    t.equal(res.headers['cache-control'], 'no-store')
    t.same(validateBody('/serving', 200, res.headers['content-type'] as string, json(res.body)), [])
    const runs = stats.runs
    await app.inject('/serving')
    t.equal(stats.runs, runs, '/serving never probes')
    app.health.shuttingDown = true
    const stopping = await app.inject('/serving')
    t.equal(stopping.statusCode, 503)
    t.match(json(stopping.body).output, /^SHUTTING_DOWN/)
    t.same(validateBody('/serving', 503, stopping.headers['content-type'] as string, json(stopping.body)), [])
    t.equal((await app.inject({ method: 'HEAD', url: '/serving' })).statusCode, 503)
  },
)

t.test('/ready runs only critical checks: 200 when they pass, 503 when one fails', async (t) => {
  const { app } = await appWith({}, { checks: [ok('crit', 'critical'), down('imp', 'important')] })
  t.teardown(() => app.close())
  const res = await app.inject('/ready')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const body = json(res.body)
  t.same(Object.keys(body.checks), ['crit:responseTime'])
  t.same(validateBody('/ready', 200, res.headers['content-type'] as string, body), [])
  t.equal(app.health.runner.probeCount('imp'), 0, 'an important check is not probed by /ready')

  const { app: app2 } = await appWith({}, { checks: [down('crit', 'critical'), ok('imp', 'important')] })
  t.teardown(() => app2.close())
  const bad = await app2.inject('/ready')
  t.equal(bad.statusCode, 503)
  const b = json(bad.body)
  t.equal(b.status, 'fail')
  t.equal(b.checks['crit:responseTime'][0].reason, 'REFUSED')
  t.same(validateBody('/ready', 503, bad.headers['content-type'] as string, b), [])
  const head = await app2.inject({ method: 'HEAD', url: '/ready' })
  t.equal(head.statusCode, 503)
})

t.test('/health aggregates by tier and its body follows the contract', async (t) => {
  const cases: [CheckDefinition[], number, string][] = [
    [[ok('a', 'critical'), ok('b', 'optional')], 200, 'pass'],
    [[ok('a', 'critical'), down('b', 'important')], 200, 'warn'],
    [[ok('a', 'critical'), down('b', 'optional')], 200, 'warn'],
    [[down('a', 'critical'), ok('b', 'optional')], 503, 'fail'],
  ]
  for (const [defs, code, status] of cases) {
    const { app } = await appWith({}, { checks: defs })
    const res = await app.inject('/health')
    const body = json(res.body)
    t.equal(res.statusCode, code, `${status}: HTTP ${code}`)
    t.equal(body.status, status)
    t.same(validateBody('/health', code, res.headers['content-type'] as string, body), [], `${status} body valid`)
    for (const d of defs) t.ok(body.checks[`${d.name}:responseTime`], `${d.name} listed`)
    await app.close()
  }
})

t.test('/health/:service: one check decides the code; unknown names get 404 with the known names', async (t) => {
  const { app } = await appWith({}, { checks: [ok('a', 'critical'), down('b', 'optional')] })
  t.teardown(() => app.close())
  const a = await app.inject('/health/a')
  t.equal(a.statusCode, 200)
  t.same(Object.keys(json(a.body).checks), ['a:responseTime'])
  t.same(validateBody('/health/{service}', 200, a.headers['content-type'] as string, json(a.body)), [])
  const b = await app.inject('/health/b')
  t.equal(b.statusCode, 503)
  t.same(validateBody('/health/{service}', 503, b.headers['content-type'] as string, json(b.body)), [])
  const missing = await app.inject('/health/nope')
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], /application\/json/)
  t.same(json(missing.body).known, ['a', 'b'])
  t.same(validateBody('/health/{service}', 404, missing.headers['content-type'] as string, json(missing.body)), [])
})

t.test('?exclude leaves checks out; an unknown name is a 400 that lists the names', async (t) => {
  const { app } = await appWith({}, { checks: [ok('a', 'critical'), down('b', 'critical')] })
  t.teardown(() => app.close())
  const res = await app.inject('/health?exclude=b')
  t.equal(res.statusCode, 200)
  t.same(Object.keys(json(res.body).checks), ['a:responseTime'])
  t.equal(app.health.runner.probeCount('b'), 0)
  const bad = await app.inject('/health?exclude=zzz')
  t.equal(bad.statusCode, 400)
  t.match(json(bad.body).message, /zzz/)
  t.same(json(bad.body).known, ['a', 'b'])
  t.same(validateBody('/health', 400, bad.headers['content-type'] as string, json(bad.body)), [])
})

t.test('the text view: one aligned line a check and a summary, by ?verbose or Accept: text/plain', async (t) => {
  const { app } = await appWith({}, { checks: [ok('postgres', 'critical'), down('redis', 'optional')] })
  t.teardown(() => app.close())
  for (const req of [{ url: '/health?verbose' }, { url: '/health', headers: { accept: 'text/plain' } }]) {
    const res = await app.inject(req)
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^text\/plain/)
    const lines = res.body.trimEnd().split('\n')
    t.match(lines[0], /^\[\+\] postgres +pass +critical +\d+ms/)
    t.match(lines[1], /^\[-\] redis +fail +optional .* REFUSED connection refused for redis$/)
    t.match(lines[2], /^health passed with warnings for \d+s: 1 failed, 0 warnings, 1 passed, 0 skipped$/)
    t.equal(lines[0].indexOf('pass'), lines[1].indexOf('fail'), 'status column aligned')
  }
  const verboseFalse = await app.inject('/health?verbose=false')
  t.match(verboseFalse.headers['content-type'], /^application\/health\+json/)
  const ready = await app.inject('/ready?verbose')
  t.match(ready.body, /^\[\+\] postgres/)
  t.match(ready.body, /readiness passed/)
})

t.test('?fresh asks for a new probe but goes through single-flight', async (t) => {
  const { app } = await appWith({ HEALTH_MIN_PROBE_INTERVAL_MS: '0' }, { checks: [ok('a', 'critical')] })
  t.teardown(() => app.close())
  await app.inject('/health/a')
  t.equal(app.health.runner.probeCount('a'), 1)
  await app.inject('/health/a')
  t.equal(app.health.runner.probeCount('a'), 1, 'cached')
  await Promise.all(Array.from({ length: 20 }, () => app.inject('/health/a?fresh')))
  t.equal(app.health.runner.probeCount('a'), 2, 'twenty fresh requests at once share one probe')
  await app.inject({ url: '/health/a', headers: { 'cache-control': 'no-cache' } })
  t.equal(app.health.runner.probeCount('a'), 3, 'Cache-Control: no-cache is a fresh request')

  const { app: slow } = await appWith({ HEALTH_MIN_PROBE_INTERVAL_MS: '60000' }, { checks: [ok('a', 'critical')] })
  t.teardown(() => slow.close())
  await slow.inject('/health/a')
  for (let i = 0; i < 5; i++) await slow.inject('/health/a?fresh=1')
  t.equal(slow.health.runner.probeCount('a'), 1, 'fresh cannot probe more often than HEALTH_MIN_PROBE_INTERVAL_MS')
})

t.test('probe routes write no log line per request; a status change writes exactly one', async (t) => {
  const { app, logs } = await appWith(
    { HEALTH_LOG_LEVEL: 'info' },
    { checks: [ok('a', 'critical'), down('b', 'optional')] },
  )
  t.teardown(() => app.close())
  await app.inject('/health')
  const after = logs.lines.length
  t.equal(logs.lines.filter((l) => /check status changed/.test(l)).length, 2, 'one line per check on its first result')
  t.match(
    logs.lines.find((l) => /"check":"b"/.test(l)),
    /"reason":"REFUSED"/,
  )
  for (let i = 0; i < 50; i++) {
    await app.inject('/ready')
    await app.inject('/health')
    await app.inject({ method: 'HEAD', url: '/health' })
    await app.inject('/live')
  }
  t.equal(logs.lines.length, after, '200 requests, no new log line')
})

t.test(
  'while a stale result is refreshed, every answer comes from the bytes rendered once; the new result replaces them',
  async (t) => {
    let release: () => void = () => {}
    const { def: slow, stats } = synthetic(
      'slow',
      async (_s, n) => {
        if (n > 1) await new Promise<void>((r) => (release = r))
        return { details: { n } }
      },
      { cacheTtlMs: 30 },
    )
    const clock = new ManualClock()
    const { app } = await appWith({ HEALTH_MAX_STALE_MS: '60000' }, { checks: [slow], clock })
    t.teardown(() => {
      release()
      return app.close()
    })
    const paths = ['/ready', '/health', '/health/slow']
    for (const path of paths) t.equal((await app.inject(path)).statusCode, 200)
    clock.advance(40)
    const first = new Map<string, string>()
    for (const path of paths) first.set(path, (await app.inject(path)).body)
    t.equal(stats.runs, 2, 'the expiry started one refresh, which hangs')
    const renders = app.health.rendered.renders
    for (let i = 0; i < 20; i++) for (const path of paths) t.equal((await app.inject(path)).body, first.get(path))
    t.equal(app.health.rendered.renders, renders, 'nothing rendered again during the refresh')
    t.equal(stats.runs, 2, 'still one refresh after 60 requests')
    const version = app.health.runner.version
    release()
    await settle(t, () => app.health.runner.version > version, 'the refresh lands')
    for (const path of paths)
      t.not((await app.inject(path)).body, first.get(path), `${path}: the new result is answered once it lands`)
  },
)

t.test('HEAD /health answers the same code with no body', async (t) => {
  const { app } = await appWith({}, { checks: [down('a', 'critical')] })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'HEAD', url: '/health' })
  t.equal(res.statusCode, 503)
  t.equal(res.body, '')
  t.match(res.headers['content-type'], /^application\/health\+json/)
})

t.test('the cached JSON answer never outlives the results it was rendered from', async (t) => {
  let healthy = true
  const { def: flipping } = synthetic(
    'flip',
    async () => {
      if (!healthy) throw new CheckError(Reason.REFUSED, 'down now')
      return {}
    },
    { cacheTtlMs: 30 },
  )
  const clock = new ManualClock()
  const { app } = await appWith({ HEALTH_MAX_STALE_MS: '0' }, { checks: [flipping], clock })
  t.teardown(() => app.close())
  const paths = ['/ready', '/health', '/health/flip', '/health?verbose', '/ready?verbose']
  for (const path of paths) t.equal((await app.inject(path)).statusCode, 200, `${path} pass`)
  healthy = false
  for (const path of paths)
    t.equal((await app.inject(path)).statusCode, 200, `${path} still the cached pass within the lifetime`)
  clock.advance(40)
  for (const path of paths) {
    const res = await app.inject(path)
    t.equal(res.statusCode, 503, `${path} fails once the lifetime is over`)
    t.match(res.body, /down now/)
  }
})

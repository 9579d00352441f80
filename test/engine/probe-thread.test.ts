import { MARGIN_MS } from '../support/probe.js'
import t from 'tap'
import { appWith, PG_URL, REDIS_URL } from '../support/helpers.js'
import { startSilentServer } from '../support/fakes/tcp.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'
import { checks } from '../../src/checks/index.js'

// The running service (main()) builds with isolateProbes: the catalogue's probes run in a worker thread.

const tcpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length
const json = (body: string) =>
  JSON.parse(body) as { status: string; checks: Record<string, { status: string; reason?: string; output?: string }[]> }

t.test(
  'in a worker thread: PostgreSQL and Redis pass, and their connections are not in the thread that answers HTTP',
  async (t) => {
    const before = tcpSockets()
    const { app } = await appWith({ DATABASE_URL: PG_URL, REDIS_URL }, { isolateProbes: true })
    t.teardown(() => app.close())
    for (const name of ['postgres', 'redis']) {
      const res = await app.inject(`/health/${name}`)
      t.equal(res.statusCode, 200, `${name}: ${res.body.slice(0, 300)}`)
      t.equal(json(res.body).checks[`${name}:responseTime`][0].status, 'pass')
    }
    t.equal(tcpSockets(), before, 'no database or cache socket opened in this thread')
  },
)

t.test('inline (the default of build()): the same checks hold their connections in this thread', async (t) => {
  const before = tcpSockets()
  const { app } = await appWith({ DATABASE_URL: PG_URL, REDIS_URL })
  t.teardown(() => app.close())
  for (const name of ['postgres', 'redis']) t.equal((await app.inject(`/health/${name}`)).statusCode, 200)
  t.ok(tcpSockets() > before, 'the pool and the Redis client keep their sockets here')
})

t.test(
  'in a worker thread: a hung dependency answers TIMEOUT on time, its socket is closed, no secret leaks',
  async (t) => {
    const silent = await startSilentServer()
    t.teardown(() => silent.close())
    const secret = 'pw-sentinel-7f3a9c'
    const clock = new ManualClock()
    const { app, logs } = await appWith(
      {
        DATABASE_URL: `postgres://health:${secret}@127.0.0.1:${silent.port}/db`,
        HEALTH_TIMEOUT_MS: '400',
        HEALTH_MIN_PROBE_INTERVAL_MS: '1',
      },
      { isolateProbes: true, clock },
    )
    t.teardown(() => app.close())
    // the first probe also waits for the thread to start
    await app.inject('/health/postgres')
    clock.advance(5)
    const started = performance.now()
    const res = await app.inject('/health/postgres?fresh')
    const ms = performance.now() - started
    const r = json(res.body).checks['postgres:responseTime'][0]
    t.equal(res.statusCode, 503)
    t.equal(r.reason, 'TIMEOUT')
    t.ok(ms >= 380 && ms < 400 + MARGIN_MS, `answered in ${Math.round(ms)} ms with a 400 ms timeout`)
    await t.resolves(silent.allClosed(), 'the cancelled connection attempts are closed')
    t.notMatch(res.body, secret)
    t.notMatch(logs.lines.join('\n'), secret)
  },
)

t.test('a check made outside the catalogue runs in this thread even when the catalogue is isolated', async (t) => {
  const { threadId } = await import('node:worker_threads')
  let ranIn = -1
  const { def: local } = synthetic('local', async () => ((ranIn = threadId), {}))
  const { app } = await appWith(
    { DATABASE_URL: PG_URL },
    { isolateProbes: true, checks: [local, checks.find((c) => c.name === 'postgres')!] },
  )
  t.teardown(() => app.close())
  t.equal((await app.inject('/ready')).statusCode, 200)
  t.equal(ranIn, threadId, 'its closure ran here')
})

t.test('close() closes the worker thread promptly; a probe asked for afterwards is SHUTTING_DOWN', async (t) => {
  const clock = new ManualClock()
  const { app } = await appWith(
    { DATABASE_URL: PG_URL, HEALTH_MIN_PROBE_INTERVAL_MS: '1' },
    { isolateProbes: true, clock },
  )
  t.equal((await app.inject('/health/postgres')).statusCode, 200)
  const started = performance.now()
  await app.close()
  clock.advance(5)
  t.ok(performance.now() - started < 4000, 'closed within the grace period')
  const [r] = await app.health.runner.collect(['postgres'], { fresh: true })
  t.equal(r.reason, 'SHUTTING_DOWN')
})

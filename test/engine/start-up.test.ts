import t from 'tap'
import { Reason } from '../../src/reasons.js'
import { appWith, PG_URL } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'

// The timeout measures the dependency. Loading a check's SDK or the probe thread on a slow node is the service's own
// start-up: it has its own, wider limit, and never turns into a TIMEOUT of the dependency.

t.test('a start() slower than the timeout still lets the first probe pass', async (t) => {
  const { def: slowStart } = synthetic('slow-start', undefined, {
    timeoutMs: 50,
    start: async () => {
      await new Promise((r) => setTimeout(r, 200))
      return { run: async () => ({ output: 'answered' }) }
    },
  })
  const { app } = await appWith({}, { checks: [slowStart] })
  t.teardown(() => app.close())
  const res = await app.inject('/health/slow-start')
  t.equal(res.statusCode, 200)
  t.equal(res.json().checks['slow-start:responseTime'][0].output, 'answered')
})

t.test(
  'a start() that hangs past the start-up limit is INTERRUPTED, kept one short lifetime, and says the dependency was not probed',
  async (t) => {
    const { def: hung } = synthetic('hung-start', undefined, {
      timeoutMs: 50,
      start: () => new Promise(() => undefined),
    })
    const { app } = await appWith({}, { checks: [hung], probeStartLimitMs: 150 })
    // the engine's timers are unref'd and a hung start holds no socket: keep the process alive meanwhile
    const keepAlive = setInterval(() => undefined, 1000)
    t.teardown(async () => {
      await app.close()
      clearInterval(keepAlive)
    })
    const res = await app.inject('/health/hung-start')
    const r = res.json().checks['hung-start:responseTime'][0]
    t.equal(res.statusCode, 503)
    t.equal(r.reason, Reason.INTERRUPTED, 'the service itself, not the dependency')
    t.match(r.output, /did not start within 150ms.*not probed/)
  },
)

t.test(
  'in the worker thread: the first probe with a tight timeout measures PostgreSQL, not the thread start',
  async (t) => {
    // loading the thread and the pg client under tsx takes seconds (4 s with every core busy); answering PostgreSQL
    // takes milliseconds, and 1 s leaves a loaded machine room for it
    const { app } = await appWith({ DATABASE_URL: PG_URL, HEALTH_TIMEOUT_MS: '1000' }, { isolateProbes: true })
    t.teardown(() => app.close())
    const [ready, one] = await Promise.all([app.inject('/ready'), app.inject('/health/postgres')])
    const r = one.json().checks['postgres:responseTime'][0]
    t.equal(r.status, 'pass', `${r.reason ?? ''} ${r.output ?? ''}`)
    t.not(ready.json().checks['postgres:responseTime'][0].reason, Reason.TIMEOUT)
  },
)

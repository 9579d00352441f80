import t, { type Test } from 'tap'
import pg from 'pg'
import postgres from '../../src/checks/postgres.js'
import { PG_URL } from '../support/helpers.js'
import { checkApp, MARGIN_MS, probe as probeApp, probeCheck } from '../support/probe.js'
import { errorLines } from '../support/engine.js'
import { freePort, startSilentServer } from '../support/fakes/tcp.js'
import { startProxy } from '../support/fakes/proxy.js'
import { startFaultProxy } from '../support/fakes/fault-proxy.js'

// the role scripts/prepare-test-db.sh creates: loopback logins with it need its password
const PW_USER = 'health_pw'
const PW = 'health-test-password'
const WRONG_PW = 'sentinel-wrong-pg-password-7f3a'

const probe = (t: Test, env: Record<string, string>) =>
  probeCheck(t, postgres, { HEALTH_MIN_PROBE_INTERVAL_MS: '0', ...env })

t.test('passes against the real server: SELECT 1, server version, round trip', async (t) => {
  const { res, entry } = await probe(t, { DATABASE_URL: PG_URL })
  t.equal(res.statusCode, 200)
  t.equal(entry.status, 'pass')
  t.match(entry.details.serverVersion, /^\d+\.\d+/)
  t.type(entry.details.queryMs, 'number')
  t.equal(entry.observedUnit, 'ms')
  t.equal(entry.tier, 'critical')
})

t.test('the test role really needs its password (scripts/prepare-test-db.sh ran)', async (t) => {
  const { entry } = await probe(t, { DATABASE_URL: `postgres://${PW_USER}:${PW}@127.0.0.1:5432/postgres` })
  t.equal(entry.status, 'pass', 'the right password logs in')
})

t.test('a wrong password is AUTH_FAILED, and the password appears nowhere', async (t) => {
  const { logs, res, entry } = await probe(t, {
    DATABASE_URL: `postgres://${PW_USER}:${WRONG_PW}@127.0.0.1:5432/postgres`,
  })
  t.equal(res.statusCode, 503)
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'AUTH_FAILED')
  t.match(entry.output, /password authentication failed.*DATABASE_PASSWORD/)
  t.notMatch(res.body, WRONG_PW)
  t.notMatch(logs.text(), WRONG_PW)
})

t.test('DATABASE_PASSWORD and DATABASE_USER override the URL', async (t) => {
  const { entry } = await probe(t, {
    DATABASE_URL: `postgres://nobody:${WRONG_PW}@127.0.0.1:5432/postgres`,
    DATABASE_USER: PW_USER,
    DATABASE_PASSWORD: PW,
  })
  t.equal(entry.status, 'pass')
})

t.test('an unknown database is NOT_FOUND naming it; an unknown role is AUTH_FAILED', async (t) => {
  const db = await probe(t, { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/huntaze_no_such_db' })
  t.equal(db.entry.reason, 'NOT_FOUND')
  t.match(db.entry.output, /huntaze_no_such_db.*DATABASE_NAME/)
  const role = await probe(t, { DATABASE_URL: 'postgres://huntaze_no_such_role@127.0.0.1:5432/postgres' })
  t.equal(role.entry.reason, 'AUTH_FAILED')
  t.match(role.entry.output, /huntaze_no_such_role/)
})

t.test('nothing listening is REFUSED, fast, and /ready turns 503', async (t) => {
  const port = await freePort()
  const { app } = await checkApp(t, [postgres], {
    HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
    HEALTH_TIMEOUT_MS: '2000',
  })
  const started = performance.now()
  const res = await app.inject('/ready')
  const elapsedMs = performance.now() - started
  t.equal(res.statusCode, 503)
  const entry = res.json().checks['postgres:responseTime'][0]
  t.equal(entry.reason, 'REFUSED')
  t.match(entry.output, new RegExp(`connection refused 127\\.0\\.0\\.1:${port}`))
  t.ok(elapsedMs < 2000, `answered within one timeout (${Math.round(elapsedMs)}ms)`)
})

t.test('a server that accepts and never answers: TIMEOUT within the timeout, socket closed', async (t) => {
  const silent = await startSilentServer()
  t.teardown(() => silent.close())
  const { entry, elapsedMs } = await probe(t, {
    DATABASE_URL: `postgres://postgres@127.0.0.1:${silent.port}/postgres`,
    HEALTH_TIMEOUT_MS: '300',
  })
  t.equal(entry.reason, 'TIMEOUT')
  t.ok(elapsedMs >= 290 && elapsedMs < 300 + MARGIN_MS, `answered at the timeout (${Math.round(elapsedMs)}ms)`)
  t.equal(silent.accepted(), 1)
  await silent.allClosed()
  t.equal(silent.open(), 0, 'the hung connection was closed')
})

t.test('recovers when the database comes back', async (t) => {
  const port = await freePort()
  const { app, entry } = await probe(t, { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` })
  t.equal(entry.reason, 'REFUSED')
  const proxy = await startProxy(port, 5432)
  t.teardown(() => proxy.close())
  const again = JSON.parse((await app.inject('/health/postgres?fresh')).body).checks['postgres:responseTime'][0]
  t.equal(again.status, 'pass')
  await proxy.close()
  const down = JSON.parse((await app.inject('/health/postgres?fresh')).body).checks['postgres:responseTime'][0]
  t.equal(down.status, 'fail')
  const proxy2 = await startProxy(port, 5432)
  t.teardown(() => proxy2.close())
  const back = JSON.parse((await app.inject('/health/postgres?fresh')).body).checks['postgres:responseTime'][0]
  t.equal(back.status, 'pass')
})

t.test('one small pool is reused across probes and closed with the app', async (t) => {
  const appName = 'huntaze-health'
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  t.teardown(() => admin.end())
  const count = async () =>
    Number(
      (
        await admin.query('SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND application_name = $2', [
          PW_USER,
          appName,
        ])
      ).rows[0].count,
    )
  const { app } = await probe(t, { DATABASE_URL: `postgres://${PW_USER}:${PW}@127.0.0.1:5432/postgres` })
  for (let i = 0; i < 5; i++) await app.inject('/health/postgres?fresh')
  t.equal(app.health.runner.probeCount('postgres'), 6)
  t.equal(await count(), 1, 'five fresh probes used one connection')
  await app.close()
})

t.test('a missing DATABASE_URL fails NOT_CONFIGURED without probing', async (t) => {
  const { app, res, entry } = await probe(t, {})
  t.equal(res.statusCode, 503)
  t.equal(entry.reason, 'NOT_CONFIGURED')
  t.match(entry.output, /DATABASE_URL/)
  t.equal(app.health.runner.probeCount('postgres'), 0)
})

t.test('a malformed DATABASE_URL is MISCONFIGURED and never echoed', async (t) => {
  const { res, entry } = await probe(t, { DATABASE_URL: 'mysql://root:sentinel-mysql-secret@127.0.0.1/db' })
  t.equal(entry.status, 'fail')
  t.match(entry.output, /DATABASE_URL is malformed: expected a postgres:\/\/ or postgresql:\/\/ URL/)
  t.notMatch(res.body, /sentinel-mysql-secret/)
})

t.test('a backend terminated under the probe (57P01) is UNAVAILABLE, not INTERNAL, and logs no error', async (t) => {
  const proxy = await startFaultProxy({ upstreamPort: 5432 })
  t.teardown(() => proxy.close())
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  t.teardown(() => admin.end())
  const { app, logs } = await checkApp(t, [postgres], {
    HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    HEALTH_TIMEOUT_MS: '10000',
    DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`,
  })
  // the server's answers reach the client a byte every 5 ms: its FATAL lands while the probe is still under way
  await proxy.set('drip', { dripMs: 5 })
  const probing = probeApp(app, 'postgres', '?fresh')
  // bounded: the probe's backend appears within 5 s
  let pid: number | undefined
  for (let i = 0; i < 100 && pid === undefined; i++) {
    const ports = proxy.upstreamPorts()
    if (ports.length > 0) {
      const { rows } = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE client_addr = '127.0.0.1' AND client_port = ANY($1)",
        [ports],
      )
      pid = rows[0]?.pid
    }
    if (pid === undefined) await new Promise((r) => setTimeout(r, 50))
  }
  t.type(pid, 'number', 'the probe has a backend')
  await admin.query('SELECT pg_terminate_backend($1)', [pid])
  const r = await probing
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'UNAVAILABLE')
  t.match(r.entry.output, /terminating connection due to administrator command .*shutting down or restarting/)
  const errors = errorLines(logs)
  t.same(errors, [], 'no error-level line, no stack')
  await proxy.set('pass')
  t.equal((await probeApp(app, 'postgres', '?fresh')).entry.status, 'pass', 'the next probe finds the server up')
})

t.test('a pooled connection whose backend was terminated while idle is replaced, not reported', async (t) => {
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  t.teardown(() => admin.end())
  const proxy = await startFaultProxy({ upstreamPort: 5432 })
  t.teardown(() => proxy.close())
  const { app } = await checkApp(t, [postgres], {
    HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`,
  })
  t.equal((await probeApp(app, 'postgres', '?fresh')).entry.status, 'pass')
  const ports = proxy.upstreamPorts()
  t.equal(ports.length, 1, 'one backend serves the probe')
  const { rows } = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE client_addr = '127.0.0.1' AND client_port = ANY($1)",
    [ports],
  )
  await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid])
  // bounded: the backend is gone within 5 s
  for (let i = 0; i < 100; i++) {
    const left = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [rows[0].pid])
    if (left.rowCount === 0) break
    await new Promise((r) => setTimeout(r, 50))
  }
  const r = await probeApp(app, 'postgres', '?fresh')
  t.equal(r.entry.status, 'pass', `${r.entry.reason ?? ''} ${r.entry.output ?? ''}`)
})

t.test('a DATABASE_URL of another scheme is never probed: MISCONFIGURED, no connection, no error line', async (t) => {
  const server = await startSilentServer()
  t.teardown(() => server.close())
  const { app, logs, entry } = await probe(t, { DATABASE_URL: `mysql://root@127.0.0.1:${server.port}/postgres` })
  t.equal(entry.reason, 'MISCONFIGURED')
  t.match(
    entry.output,
    /^DATABASE_URL is malformed: expected a postgres:\/\/ or postgresql:\/\/ URL, got a mysql:\/\/ URL; not probed/,
  )
  t.equal(app.health.runner.probeCount('postgres'), 0)
  t.equal(server.accepted(), 0, 'no connection attempted')
  t.same(errorLines(logs), [])
})

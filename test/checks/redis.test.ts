import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import redis from '../../src/checks/redis.js'
import { REDIS_URL } from '../support/helpers.js'
import { checkApp, MARGIN_MS, probe as probeApp, probeCheck } from '../support/probe.js'
import { errorLines } from '../support/engine.js'
import { clientSockets } from '../support/fakes/sockets.js'
import { freePort, startSilentServer } from '../support/fakes/tcp.js'
import { startRedis, stopRedis } from '../support/redis-server.js'

const ACL_USER = 'health_acl_test'
const ACL_PW = 'health-acl-test-password'
const WRONG_PW = 'sentinel-wrong-redis-password-91c2'

const probe = (t: Test, env: Record<string, string>) =>
  probeCheck(t, redis, { HEALTH_MIN_PROBE_INTERVAL_MS: '0', ...env })

const fresh = async (app: FastifyInstance) =>
  JSON.parse((await app.inject('/health/redis?fresh')).body).checks['redis:responseTime'][0]

t.test('passes: SET with expiry and GET round-trip on the real server', async (t) => {
  const { res, entry } = await probe(t, { REDIS_URL })
  t.equal(res.statusCode, 200)
  t.equal(entry.status, 'pass')
  t.type(entry.details.roundTripMs, 'number')
  const admin = new Redis(REDIS_URL)
  t.teardown(() => admin.disconnect())
  const keys = await admin.keys('huntaze-health:probe:*')
  t.ok(keys.length >= 1, 'the probe key exists')
  for (const k of keys) t.ok((await admin.pttl(k)) > 0, 'and it expires')
})

t.test('a wrong password is AUTH_FAILED and appears nowhere', async (t) => {
  const admin = new Redis(REDIS_URL)
  t.teardown(() => admin.disconnect())
  await admin.call('ACL', 'SETUSER', ACL_USER, 'on', `>${ACL_PW}`, '~*', '+@all')
  const good = await probe(t, { REDIS_URL: `redis://${ACL_USER}:${ACL_PW}@127.0.0.1:6379` })
  t.equal(good.entry.status, 'pass', 'the right password works')
  const { logs, res, entry } = await probe(t, { REDIS_URL: `redis://${ACL_USER}:${WRONG_PW}@127.0.0.1:6379` })
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'AUTH_FAILED')
  t.match(entry.output, /REDIS_URL/)
  t.notMatch(res.body, WRONG_PW)
  t.notMatch(logs.text(), WRONG_PW)
})

t.test('nothing listening is REFUSED at once, not after a reconnect loop', async (t) => {
  const port = await freePort()
  const { res, entry, elapsedMs } = await probe(t, {
    REDIS_URL: `redis://127.0.0.1:${port}`,
    HEALTH_TIMEOUT_MS: '3000',
  })
  t.equal(res.statusCode, 503)
  t.equal(entry.reason, 'REFUSED')
  t.match(entry.output, String(port))
  t.ok(elapsedMs < 1000, `failed fast (${Math.round(elapsedMs)}ms)`)
})

t.test('a server that accepts and never answers: TIMEOUT within the timeout, socket closed', async (t) => {
  const silent = await startSilentServer()
  t.teardown(() => silent.close())
  const { entry, elapsedMs } = await probe(t, {
    REDIS_URL: `redis://127.0.0.1:${silent.port}`,
    HEALTH_TIMEOUT_MS: '300',
  })
  t.equal(entry.reason, 'TIMEOUT')
  t.ok(elapsedMs >= 290 && elapsedMs < 300 + MARGIN_MS, `answered at the timeout (${Math.round(elapsedMs)}ms)`)
  await silent.allClosed()
  t.equal(silent.open(), 0, 'the hung connection was closed')
})

t.test('recovers when Redis comes back, and fails again when it goes', async (t) => {
  const port = await freePort()
  const { app, entry } = await probe(t, { REDIS_URL: `redis://127.0.0.1:${port}` })
  t.equal(entry.reason, 'REFUSED')
  const server = await startRedis(port)
  t.teardown(() => stopRedis(server))
  t.equal((await fresh(app)).status, 'pass', 'back up')
  t.equal((await fresh(app)).status, 'pass', 'the connection is reused')
  await stopRedis(server)
  const down = await fresh(app)
  t.equal(down.status, 'fail', 'down again')
  t.match(down.reason, /REFUSED|CONNECTION_RESET/)
  const again = await startRedis(port)
  t.teardown(() => stopRedis(again))
  t.equal((await fresh(app)).status, 'pass', 'up again')
})

t.test('not configured: redis is optional, so it is skipped and changes nothing', async (t) => {
  const { app, res, entry } = await probe(t, {})
  t.equal(res.statusCode, 200)
  t.equal(entry.status, 'skipped')
  t.equal(app.health.runner.probeCount('redis'), 0)
})

t.test(
  'a paused server (CLIENT PAUSE) is a TIMEOUT whose socket is closed at once, not when the pause ends',
  async (t) => {
    const port = await freePort()
    const server = await startRedis(port)
    t.teardown(() => stopRedis(server))
    const admin = new Redis({ port, host: '127.0.0.1' })
    t.teardown(() => admin.disconnect())
    await admin.ping()
    const adminPort = (admin.stream as { localPort?: number }).localPort ?? 0
    const { app, logs } = await checkApp(t, [redis], {
      HEALTH_MIN_PROBE_INTERVAL_MS: '0',
      HEALTH_TIMEOUT_MS: '1000',
      REDIS_URL: `redis://127.0.0.1:${port}`,
    })
    t.equal((await probeApp(app, 'redis', '?fresh')).entry.status, 'pass')
    // long enough that a socket left to the pause's end is still open when counted
    await admin.call('CLIENT', 'PAUSE', '8000', 'ALL')
    const paused = await probeApp(app, 'redis', '?fresh')
    t.equal(paused.entry.reason, 'TIMEOUT')
    t.ok(paused.elapsedMs < 1000 + MARGIN_MS, `answered in ${Math.round(paused.elapsedMs)}ms`)
    // bounded: 2 s, well inside the pause
    let open = clientSockets(port, [adminPort])
    for (let i = 0; i < 40 && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 50))
      open = clientSockets(port, [adminPort])
    }
    t.equal(open, 0, 'the timed-out probe closed its socket during the pause')
    await admin.call('CLIENT', 'UNPAUSE')
    t.equal((await probeApp(app, 'redis', '?fresh')).entry.status, 'pass', 'the first probe after the pause passes')
    t.same(errorLines(logs), [])
  },
)

t.test('a REDIS_URL of another scheme is never probed: MISCONFIGURED, no connection, no error line', async (t) => {
  const server = await startSilentServer()
  t.teardown(() => server.close())
  const { app, logs, entry } = await probe(t, { REDIS_URL: `http://127.0.0.1:${server.port}` })
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'MISCONFIGURED')
  t.match(
    entry.output,
    /^REDIS_URL is malformed: expected a redis:\/\/ or rediss:\/\/ URL, got a http:\/\/ URL; not probed/,
  )
  t.equal(app.health.runner.probeCount('redis'), 0)
  t.equal(server.accepted(), 0, 'no connection attempted')
  t.same(errorLines(logs), [])
})

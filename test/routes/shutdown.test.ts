import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { Agent } from 'node:http'
import { checks } from '../../src/checks/index.js'
import { appWith, httpGet, testConfig } from '../support/helpers.js'
import { startSilentServer } from '../support/fakes/tcp.js'
import { MARGIN_MS } from '../support/probe.js'
import { keepAliveClient } from '../support/raw-http.js'
import { startService as start } from '../support/service.js'
import { synthetic } from '../support/checks.js'
import { drainAndClose } from '../../src/shutdown.js'
import type { AddressInfo } from 'node:net'

t.test('SIGTERM: /ready turns 503 at once, in-flight requests finish, the process exits 0', async (t) => {
  const silent = await startSilentServer()
  t.teardown(() => silent.close())
  const srv = start({
    DATABASE_URL: `postgres://postgres@127.0.0.1:${silent.port}/postgres`,
    HEALTH_TIMEOUT_MS: '1500',
    HEALTH_SHUTDOWN_DELAY_MS: '600',
    NODE_ENV: 'development',
  })
  t.teardown(() => srv.child.kill('SIGKILL'))
  const port = await srv.port
  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  t.teardown(() => agent.destroy())
  t.equal((await httpGet(port, '/live', agent)).status, 200)
  // a request that is in flight when the signal arrives: the hung database holds it for one timeout
  // the server's start-up warm-up may already hold the database connection this request then shares
  const accepted = silent.nextAccept()
  const inflight = httpGet(port, '/health/postgres?fresh', agent)
  if (silent.accepted() === 0) await accepted
  srv.child.kill('SIGTERM')
  // the signal reaches the event loop asynchronously; the service marks itself shutting down before it says so
  await srv.printed(/shutting down/)
  const ready = await httpGet(port, '/ready')
  t.equal(ready.status, 503, '/ready answers 503 during shutdown')
  t.match(JSON.parse(ready.body).output, /SHUTTING_DOWN/)
  t.equal((await httpGet(port, '/serving')).status, 503, 'its own readiness turns 503 too: the endpoints drop it')
  const done = await inflight
  t.equal(done.status, 503, 'the in-flight request got its answer')
  t.equal(JSON.parse(done.body).checks['postgres:responseTime'][0].reason, 'TIMEOUT')
  const [code] = await once(srv.child, 'exit')
  t.equal(code, 0, 'exit code 0')
  t.match(srv.output(), /shutting down/)
})

t.test(
  'shutdown with the default delay: keep-alive clients firing at that instant get a 503 with Connection: close, no reset, no refusal',
  async (t) => {
    const { app } = await appWith({}, { checks: [synthetic('a', async () => ({})).def] })
    t.teardown(() => app.close())
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo
    const clients = await Promise.all(Array.from({ length: 4 }, () => keepAliveClient(port)))
    t.teardown(() => clients.forEach((c) => c.destroy()))
    for (const c of clients) t.equal((await c.get('/live')).status, 200, 'kept alive before shutdown')
    // one client that never stops asking, across the start of shutdown, until it is told to leave
    const looping = (async () => {
      const c = await keepAliveClient(port)
      for (let i = 0; i < 100_000; i++) {
        const a = await c.get('/live')
        if (/close/i.test(a.headers.connection ?? '')) return { last: a, ended: await c.ended }
      }
      return { last: undefined, ended: 'open' }
    })()
    // what main() runs on SIGTERM, with the default delay
    const closed = drainAndClose(app, testConfig().health.HEALTH_SHUTDOWN_DELAY_MS)
    // every idle keep-alive connection asks at the instant shutdown begins
    const answers = await Promise.all(clients.map((c) => c.get('/ready')))
    for (const a of answers) {
      t.equal(a.status, 503, '/ready answers 503 on a kept-alive connection')
      t.equal(a.headers.connection, 'close', 'and tells the client to leave')
      t.equal(a.headers['cache-control'], 'no-store')
    }
    for (const c of clients)
      t.equal(await c.ended, 'closed', 'the server closes the connection cleanly after the answer')
    const fresh = await httpGet(port, '/ready')
    t.equal(fresh.status, 503, 'a new connection during the delay is answered, not refused')
    const loop = await looping
    t.equal(loop.last?.status, 200, 'the looping client got its answers until it was told to leave')
    t.equal(loop.ended, 'closed', 'and was never reset')
    await closed
  },
)

t.test('a broken HEALTH_ setting stops the start with a message naming it', async (t) => {
  const srv = start({ HEALTH_TIMEOUT_MS: 'soon' })
  const [code] = await once(srv.child, 'exit')
  t.equal(code, 1)
  t.match(srv.errors(), /HEALTH_TIMEOUT_MS/)
  await srv.port.catch(() => undefined)
})

t.test('broken platform settings do not stop the start: the checks report them', async (t) => {
  const srv = start({ DATABASE_URL: 'not a url', NODE_ENV: 'sometimes', HEALTH_DETAILS: 'always' })
  t.teardown(() => srv.child.kill('SIGKILL'))
  const port = await srv.port
  const ready = await httpGet(port, '/ready')
  t.equal(ready.status, 503)
  const health = JSON.parse((await httpGet(port, '/health')).body)
  t.match(health.checks['postgres:responseTime'][0].output, /DATABASE_URL is malformed/)
  t.match(health.checks['app:responseTime'][0].output, /NODE_ENV is malformed/)
})

t.test('the production bundle starts, answers /live and stops cleanly', async (t) => {
  const root = new URL('../..', import.meta.url).pathname
  const bundled = spawn(process.execPath, ['scripts/bundle.mjs'], { cwd: root, stdio: 'inherit' })
  const [code] = await once(bundled, 'exit')
  t.equal(code, 0, 'bundled')
  const child = spawn(process.execPath, [`${root}dist/service.js`], {
    env: {
      PATH: process.env.PATH ?? '',
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: '0',
      HEALTH_ENV_FILE: '/nonexistent/.env',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => child.kill('SIGKILL'))
  let out = ''
  let err = ''
  child.stderr.on('data', (c) => (err += c))
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c
      const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (c) => reject(new Error(`exited with ${c}: ${err}`)))
  })
  const live = await httpGet(port, '/live')
  t.equal(live.status, 200)
  t.equal(JSON.parse(live.body).status, 'pass')
  child.kill('SIGTERM')
  const [exit] = await once(child, 'exit')
  t.equal(exit, 0)
})

// In process, both ways of probing: the spawned service above always probes in a worker thread.
for (const isolateProbes of [false, true]) {
  t.test(
    `${isolateProbes ? 'in a worker thread' : 'inline'}: close() with a probe of a hung database in flight: /ready turns 503 at once, the request gets its answer, no probe runs after`,
    async (t) => {
      const silent = await startSilentServer()
      t.teardown(() => silent.close())
      const postgres = checks.filter((c) => c.name === 'postgres')
      const env = {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${silent.port}/postgres`,
        HEALTH_TIMEOUT_MS: '1500',
        HEALTH_MIN_PROBE_INTERVAL_MS: '0',
      }
      const { app } = await appWith(env, { checks: postgres, isolateProbes })
      t.teardown(() => app.close())
      const accepted = silent.nextAccept()
      const inflight = app.inject('/health/postgres')
      // the probe holds a connection to the hung database (or has already given up on it)
      await Promise.race([accepted, inflight])
      // what main() does first on SIGTERM
      app.health.shuttingDown = true
      const ready = await app.inject('/ready')
      t.equal(ready.statusCode, 503, '/ready answers 503 during shutdown')
      t.match(ready.json().output, /SHUTTING_DOWN/)
      const started = performance.now()
      const closed = app.close()
      const done = await inflight
      t.equal(done.statusCode, 503, 'the in-flight request got its answer')
      t.equal(done.json().checks['postgres:responseTime'][0].reason, 'TIMEOUT')
      await closed
      t.ok(performance.now() - started < 1500 + MARGIN_MS, 'closed within the probe timeout')
      await t.resolves(silent.allClosed(), 'the connection to the hung database is closed')
      const [late] = await app.health.runner.collect(['postgres'], { fresh: true })
      t.equal(late.reason, 'SHUTTING_DOWN', 'no probe runs after close')
    },
  )
}

// A service draining for a long delay, with a request in flight on a hung database when the first signal comes.
async function draining(t: Test, delayMs: number) {
  const silent = await startSilentServer()
  t.teardown(() => silent.close())
  const srv = start({
    DATABASE_URL: `postgres://postgres@127.0.0.1:${silent.port}/postgres`,
    HEALTH_TIMEOUT_MS: '1500',
    HEALTH_SHUTDOWN_DELAY_MS: String(delayMs),
    HEALTH_SHUTDOWN_GRACE_MS: String(delayMs + 5000),
    NODE_ENV: 'development',
  })
  t.teardown(() => srv.child.kill('SIGKILL'))
  const port = await srv.port
  const accepted = silent.nextAccept()
  const inflight = httpGet(port, '/health/postgres?fresh')
  if (silent.accepted() === 0) await accepted
  return { srv, port, inflight, exited: once(srv.child, 'exit') as Promise<[number | null, string | null]> }
}

for (const signal of ['SIGHUP', 'SIGINT'] as const)
  t.test(
    `${signal} drains like SIGTERM: /ready and /serving 503, the request in flight answered, exit 0`,
    async (t) => {
      const { srv, port, inflight, exited } = await draining(t, 800)
      srv.child.kill(signal)
      await srv.printed(new RegExp(`"signal":"${signal}".*shutting down`))
      t.equal((await httpGet(port, '/ready')).status, 503)
      t.equal((await httpGet(port, '/serving')).status, 503)
      t.equal((await inflight).status, 503, 'the in-flight request got its answer')
      const [code, killedBy] = await exited
      t.same([code, killedBy], [0, null], `exit 0 on ${signal}, not killed by it`)
    },
  )

t.test('a second SIGTERM cuts the drain delay short but still lets the request in flight finish', async (t) => {
  // a minute of delay: only the second signal can end the drain within the test
  const { srv, port, inflight, exited } = await draining(t, 60_000)
  srv.child.kill('SIGTERM')
  await srv.printed(/shutting down/)
  t.equal((await httpGet(port, '/ready')).status, 503, 'draining')
  const before = performance.now()
  srv.child.kill('SIGTERM')
  await srv.printed(/second signal: the drain delay is cut short/)
  const done = await inflight
  t.equal(done.status, 503, 'the in-flight request still got its answer')
  t.equal(JSON.parse(done.body).checks['postgres:responseTime'][0].reason, 'TIMEOUT')
  const [code, killedBy] = await exited
  t.same([code, killedBy], [0, null], 'exit 0, not 143')
  t.ok(performance.now() - before < 30_000, 'long before the minute of delay')
})

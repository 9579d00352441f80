import t, { type Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { checks } from '../../src/checks/index.js'
import { appWith, httpGet, PG_URL, REDIS_URL } from '../support/helpers.js'
import { validateBody } from '../support/contract.js'
import { freePort } from '../support/fakes/tcp.js'

// The routes over the catalogue's own checks against the real PostgreSQL and Redis, in both ways of probing: inline
// (what build() does by default) and in a worker thread (what the running service does).

const catalogue = checks.filter((c) => c.name === 'postgres' || c.name === 'redis')
// the first probe in a worker thread also waits for the thread and its modules to load
const TIMEOUT = { HEALTH_TIMEOUT_MS: '5000' }

const json = (body: string) => JSON.parse(body)

for (const isolateProbes of [false, true]) {
  const mode = isolateProbes ? 'in a worker thread' : 'inline'
  const appOf = async (t: Test, env: Record<string, string>, extra: Record<string, string> = {}) => {
    const built = await appWith({ ...TIMEOUT, ...env, ...extra }, { checks: catalogue, isolateProbes })
    t.teardown(() => built.app.close())
    return built
  }

  t.test(`${mode}: a real listen on port 0 answers over TCP`, async (t) => {
    const { app } = await appOf(t, { DATABASE_URL: PG_URL, REDIS_URL })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    const get = (path: string) => httpGet(port, path)
    const ready = await get('/ready')
    t.equal(ready.status, 200)
    t.equal(json(ready.body).checks['postgres:responseTime'][0].status, 'pass')
    const health = await get('/health')
    t.equal(health.status, 200)
    t.same(validateBody('/health', 200, health.type, json(health.body)), [])
    t.equal(json(health.body).checks['redis:responseTime'][0].status, 'pass')
  })

  t.test(
    `${mode}: /ready runs only the critical PostgreSQL check: 200 while it passes, 503 when it is refused`,
    async (t) => {
      const { app } = await appOf(t, { DATABASE_URL: PG_URL, REDIS_URL: `redis://127.0.0.1:${await freePort()}` })
      const res = await app.inject('/ready')
      t.equal(res.statusCode, 200)
      t.equal(res.headers['cache-control'], 'no-store')
      t.same(Object.keys(json(res.body).checks), ['postgres:responseTime'])
      t.same(validateBody('/ready', 200, res.headers['content-type'] as string, json(res.body)), [])
      t.equal(app.health.runner.probeCount('redis'), 0, 'an optional check is not probed by /ready')

      const { app: down } = await appOf(t, {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
        REDIS_URL,
      })
      const bad = await down.inject('/ready')
      t.equal(bad.statusCode, 503)
      t.equal(json(bad.body).checks['postgres:responseTime'][0].reason, 'REFUSED')
      t.same(validateBody('/ready', 503, bad.headers['content-type'] as string, json(bad.body)), [])
      t.equal((await down.inject({ method: 'HEAD', url: '/ready' })).statusCode, 503)
    },
  )

  t.test(
    `${mode}: /health aggregates by tier; /health/:service answers one check; ?exclude leaves one out`,
    async (t) => {
      const { app } = await appOf(t, { DATABASE_URL: PG_URL, REDIS_URL: `redis://127.0.0.1:${await freePort()}` })
      const res = await app.inject('/health')
      t.equal(res.statusCode, 200, 'a refused optional check is a warning')
      t.equal(json(res.body).status, 'warn')
      t.same(validateBody('/health', 200, res.headers['content-type'] as string, json(res.body)), [])
      const redis = await app.inject('/health/redis')
      t.equal(redis.statusCode, 503)
      t.equal(json(redis.body).checks['redis:responseTime'][0].reason, 'REFUSED')
      t.same(validateBody('/health/{service}', 503, redis.headers['content-type'] as string, json(redis.body)), [])
      const postgres = await app.inject('/health/postgres')
      t.equal(postgres.statusCode, 200)
      t.same(Object.keys(json(postgres.body).checks), ['postgres:responseTime'])
      const excluded = await app.inject('/health?exclude=redis')
      t.equal(excluded.statusCode, 200)
      t.equal(json(excluded.body).status, 'pass')
      const missing = await app.inject('/health/nope')
      t.equal(missing.statusCode, 404)
      t.same(json(missing.body).known, ['postgres', 'redis'])
      const text = await app.inject('/health?verbose')
      t.match(text.body, /^\[\+\] postgres +pass +critical/m)
      t.match(text.body, /^\[-\] redis +fail +optional .*REFUSED/m)
    },
  )

  t.test(`${mode}: ?fresh probes again, and twenty fresh requests at once share one probe`, async (t) => {
    const { app } = await appOf(t, { DATABASE_URL: PG_URL }, { HEALTH_MIN_PROBE_INTERVAL_MS: '0' })
    t.equal((await app.inject('/health/postgres')).statusCode, 200)
    await app.inject('/health/postgres')
    t.equal(app.health.runner.probeCount('postgres'), 1, 'cached')
    const replies = await Promise.all(Array.from({ length: 20 }, () => app.inject('/health/postgres?fresh')))
    t.same([...new Set(replies.map((r) => r.statusCode))], [200])
    t.equal(app.health.runner.probeCount('postgres'), 2, 'one probe for twenty')
  })

  t.test(`${mode}: polling writes no log line; a status change writes exactly one`, async (t) => {
    const { app, logs } = await appOf(
      t,
      { DATABASE_URL: PG_URL, REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
      { HEALTH_LOG_LEVEL: 'info' },
    )
    await app.inject('/health')
    t.equal(
      logs.lines.filter((l) => /check status changed/.test(l)).length,
      2,
      'one line per check on its first result',
    )
    const after = logs.lines.length
    for (let i = 0; i < 20; i++) {
      await app.inject('/ready')
      await app.inject('/health')
    }
    t.equal(logs.lines.length, after, '40 requests, no new log line')
  })
}

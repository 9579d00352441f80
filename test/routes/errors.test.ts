import t, { type Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { appWith, type Captured } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { logLines } from '../support/engine.js'
import { ManualClock } from '../support/clock.js'

// What a client sees when something goes wrong on the service's side: never a stack trace, a file path or a secret.

const ok = synthetic('a', async () => ({ details: { n: 1 } })).def
const JWT = 'jwt-sentinel-for-the-500-path-0123456789'
const env = { JWT_SECRET: JWT }

// A stack frame (at fn (file:line:col)) or a source path, as Node prints them.
const STACK = /\bat .*\.(ts|js|mjs):\d+/
const FILE_PATH = /(file:\/\/|\/[\w.-]+\/)[\w./-]*\.(ts|js|mjs)\b/

function bare500(t: Test, res: LightMyRequestResponse, logs: Captured, what: string): void {
  t.equal(res.statusCode, 500, `${what}: 500`)
  t.same(
    res.json(),
    { statusCode: 500, error: 'Internal Server Error', message: 'internal error' },
    `${what}: the bare error body`,
  )
  t.match(res.headers['content-type'], /^application\/json/, `${what}: JSON`)
  t.equal(res.headers['cache-control'], 'no-store', `${what}: never cached`)
  t.notMatch(res.body, STACK, `${what}: no stack trace`)
  t.notMatch(res.body, FILE_PATH, `${what}: no file path`)
  t.notMatch(res.body, JWT, `${what}: no secret`)
  const errors = logLines(logs).filter((l) => l.level === 50 && l.msg === 'request failed')
  t.equal(errors.length, 1, `${what}: one error line in the log`)
  t.match(String(errors[0]?.err), /Error/, `${what}: saying what went wrong`)
  t.notMatch(logs.text(), JWT, `${what}: the log line carries no secret either`)
}

async function appOf(t: Test, checks = [ok]): Promise<{ app: FastifyInstance; logs: Captured }> {
  const built = await appWith(env, { checks })
  t.teardown(() => built.app.close())
  return built
}

t.test('unknown routes and bad input: JSON errors, never a stack trace', async (t) => {
  const { app } = await appWith({}, { checks: [ok] })
  t.teardown(() => app.close())
  const res = await app.inject('/nope?token=abc')
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], /application\/json/)
  t.match(res.json(), { statusCode: 404, error: 'Not Found' })
  t.notMatch(res.body, /token=abc/)
  const post = await app.inject({ method: 'POST', url: '/health' })
  t.equal(post.statusCode, 404)
  for (const r of [res, post]) t.notMatch(r.body, /at .*\.(ts|js):\d+/)
})

t.test('a handler that throws a programming error answers a bare 500', async (t) => {
  const { app, logs } = await appOf(t)
  app.get('/throws', () => {
    throw new TypeError(
      `cannot read properties of undefined (reading 'x') near ${JWT} in /srv/app/src/routes/x.ts:12:7`,
    )
  })
  bare500(t, await app.inject('/throws'), logs, 'a throwing route')
})

t.test('a result that cannot be rendered answers a bare 500 (the synchronous path of a cached answer)', async (t) => {
  // a BigInt is no JSON: rendering the cached result throws inside the route handler
  const unrenderable = synthetic('unrenderable', async () => ({ details: { n: 1n as unknown as number } })).def
  const { app, logs } = await appOf(t, [unrenderable])
  await app.health.runner.get('unrenderable')
  bare500(t, await app.inject('/health/unrenderable'), logs, '/health/unrenderable')
})

t.test(
  'a result that cannot be rendered answers a bare 500 on the promise path too (a first, uncached request)',
  async (t) => {
    const unrenderable = synthetic('late-unrenderable', async () => ({ details: { n: 1n as unknown as number } })).def
    for (const path of ['/health/late-unrenderable', '/health', '/ready']) {
      const { app, logs } = await appOf(t, [unrenderable])
      // a rendering error after the probe's promise settles must still answer, not leave the request hanging
      const res = await Promise.race([
        app.inject(path),
        new Promise<null>((r) => setTimeout(() => r(null), 5000).unref()),
      ])
      t.ok(res, `${path}: answered`)
      if (res) bare500(t, res, logs, path)
    }
  },
)

t.test(
  'a check whose own code throws outside its probe is a fail INTERNAL, and the next evaluation runs again',
  async (t) => {
    // a cross-setting rule that throws: the evaluation itself fails, which is the check's bug, not a dependency's
    let broken = true
    const check = synthetic('broken', async () => ({}), {
      validate: () => {
        if (broken) throw new TypeError(`cannot read properties of undefined (reading 'settings') near ${JWT}`)
        return []
      },
      cacheTtlMs: 1,
    }).def
    const clock = new ManualClock()
    const { app, logs } = await appWith({ ...env, HEALTH_MAX_STALE_MS: '0' }, { checks: [check], clock })
    t.teardown(() => app.close())
    for (const path of ['/health/broken', '/health', '/ready']) {
      const res = await app.inject(path)
      t.equal(res.statusCode, 503, `${path}: 503, not 500`)
      const r = res.json().checks['broken:responseTime'][0]
      t.equal(r.reason, 'INTERNAL')
      t.match(r.output, /the check itself failed: TypeError/)
      t.notMatch(res.body, JWT)
      t.notMatch(res.body, STACK)
    }
    const errors = logLines(logs).filter((l) => l.level === 50)
    t.ok(errors.length >= 1, 'logged as an error, with what went wrong')
    t.notMatch(logs.text(), JWT)
    broken = false
    // past the failure's 1 ms lifetime and the minimum probe interval
    clock.advance(1000)
    const res = await app.inject('/health/broken?fresh')
    t.equal(res.statusCode, 200, 'once fixed, the check evaluates again: the failure did not stick')
  },
)

import t, { type Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { appWith, type Captured } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { logLines } from '../support/engine.js'

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

t.test("a runner promise that rejects answers a bare 500 (settle()'s rejection branch)", async (t) => {
  // a cross-setting rule that throws: the runner's evaluation, and so the promise every route waits on, rejects
  const broken = synthetic('broken', async () => ({}), {
    validate: () => {
      throw new TypeError(`cannot read properties of undefined (reading 'settings') near ${JWT}`)
    },
  }).def
  for (const path of ['/health/broken', '/health', '/ready']) {
    const { app, logs } = await appOf(t, [broken])
    bare500(t, await app.inject(path), logs, path)
  }
})

import t from 'tap'
import fc from 'fast-check'
import type { AddressInfo } from 'node:net'
import { appWith } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { contractProblems, rawRequest } from '../support/raw-http.js'

// Arbitrary requests, the routes' real names and query names with junk values among them: no 500, no stack trace,
// no long echo, the headers and the error shape on every answer. A fixed seed: fast-check prints it and the
// shrunk request on failure.
const SEED = 20261201

const junk = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => encodeURIComponent(s))
const rawJunk = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\s#?]/g, '%'))
const segment = fc.oneof(
  fc.constantFrom('live', 'ready', 'health', 'a', 'history', 'openapi.yaml', '..', '%', '%zz', '%E0%A4%A', ''),
  junk,
  rawJunk,
  fc.string({ minLength: 90, maxLength: 300 }).map((s) => encodeURIComponent(s)),
)
const queryName = fc.oneof(fc.constantFrom('verbose', 'fresh', 'exclude', 'exclude[]', 'minutes', ''), junk)
const queryValue = fc.oneof(fc.constantFrom('', '0', 'false', '1', 'a', 'nope', '%', '%zz'), junk, rawJunk)
const url = fc
  .record({
    path: fc.array(segment, { minLength: 1, maxLength: 4 }),
    query: fc.array(fc.tuple(queryName, queryValue), { maxLength: 5 }),
  })
  .map(
    ({ path, query }) => `/${path.join('/')}${query.length ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`,
  )
const method = fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH')
const headers = fc.dictionary(
  fc.constantFrom('accept', 'cache-control', 'x-junk', 'content-type', 'accept-encoding', 'if-none-match'),
  fc.oneof(fc.constantFrom('text/plain', 'no-cache', 'application/json', '*/*', 'gzip'), fc.string({ maxLength: 60 })),
  { maxKeys: 3 },
)

const check = synthetic('a', async () => ({})).def

t.test('through inject: 2,000 arbitrary requests keep the contract', async (t) => {
  const { app } = await appWith({ HEALTH_MIN_PROBE_INTERVAL_MS: '0' }, { checks: [check] })
  t.teardown(() => app.close())
  await fc.assert(
    fc.asyncProperty(method, url, headers, async (m, u, h) => {
      const res = await app.inject({ method: m as 'GET', url: u, headers: h })
      const problems = contractProblems(
        { status: res.statusCode, headers: res.headers, body: res.body },
        `${m} ${u} ${JSON.stringify(h)}`,
        m === 'HEAD',
      )
      if (problems.length > 0)
        throw new Error(`${res.statusCode}: ${problems.join('; ')}; body ${res.body.slice(0, 200)}`)
    }),
    { seed: SEED, numRuns: 2000 },
  )
  t.pass('2,000 requests kept the contract')
})

// printable header values only: a raw socket sends bytes, and some are not allowed in a header at all
const headerLine = fc.tuple(
  fc.constantFrom('Accept', 'Cache-Control', 'X-Junk', 'Expect', 'Content-Length', 'Transfer-Encoding'),
  fc.oneof(
    fc.constantFrom('text/plain', 'no-cache', '100-continue', '100-foo', '0', 'chunked'),
    fc.string({ maxLength: 40 }),
  ),
)

t.test('through a raw socket: 300 arbitrary requests, malformed ones included, keep the contract', async (t) => {
  const { app } = await appWith({ HEALTH_MIN_PROBE_INTERVAL_MS: '0' }, { checks: [check] })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const target = fc.oneof(
    url,
    fc.string({ maxLength: 60 }).map((s) => `/${s}`),
  )
  const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', '')
  await fc.assert(
    fc.asyncProperty(method, target, version, fc.array(headerLine, { maxLength: 3 }), async (m, u, v, hs) => {
      const lines = hs.map(([k, val]) => `${k}: ${val}`)
      const request = `${m} ${u} ${v}\r\nHost: 127.0.0.1\r\n${lines.join('\r\n')}${lines.length ? '\r\n' : ''}Connection: close\r\n\r\n`
      const answer = await rawRequest(port, request, 10_000)
      const problems = contractProblems(answer, request, m === 'HEAD')
      if (answer.ended === 'reset') problems.push('connection reset')
      if (problems.length > 0)
        throw new Error(`${answer.status}: ${problems.join('; ')}; body ${answer.body.slice(0, 200)}`)
    }),
    { seed: SEED, numRuns: 300 },
  )
  t.pass('300 requests kept the contract')
})

import t from 'tap'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { appWith } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { contractProblems, rawRequest } from '../support/raw-http.js'
import { httpLimits } from '../../src/http-limits.js'

// Every answer keeps the documented contract, the ones Fastify and Node write themselves included: seen through a
// raw socket, since inject() skips the HTTP parser and the server's own errors.

const check = synthetic('a', async () => ({})).def
const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`

const cases: { what: string; request: string; status: number; message?: RegExp }[] = [
  { what: 'a bad method line', request: 'FO\x01O / HTTP/1.1\r\nHost: x\r\n\r\n', status: 400 },
  { what: 'an unknown HTTP version', request: 'GET /live HTTP/9.9\r\nHost: x\r\n\r\n', status: 400 },
  { what: 'a 3 KB path', request: get(`/${'p'.repeat(3000)}`), status: 414 },
  { what: 'a 3 KB check name', request: get(`/health/${'n'.repeat(3000)}`), status: 414 },
  { what: 'a URL longer than the header limit', request: get(`/live?${'q'.repeat(100_000)}`), status: 414 },
  { what: '64 KB of headers', request: get('/live', `X-Big: ${'h'.repeat(65_536)}\r\n`), status: 431 },
  { what: 'an unknown expectation', request: get('/live', 'Expect: 100-foo\r\n'), status: 417 },
  { what: 'a bad percent-encoding in a long path', request: get(`/health/%E0%A4%A${'x'.repeat(1500)}`), status: 400 },
  { what: 'a short bad percent-encoding', request: get('/health/%E0%A4%Axyz'), status: 400 },
  { what: 'an unknown check', request: get(`/health/${'u'.repeat(90)}`), status: 404, message: /no check named/ },
  { what: 'an unknown exclude name', request: get(`/health?exclude=${'e'.repeat(1500)}`), status: 400 },
  { what: 'an unknown route', request: get(`/nope/${'r'.repeat(1500)}`), status: 404 },
  { what: 'a flag given twice', request: get('/health/a?verbose=1&verbose=2'), status: 400 },
  { what: 'a history', request: get('/health/a/history'), status: 200 },
  { what: 'a bad ?minutes', request: get('/health/a/history?minutes=x'), status: 400 },
  { what: 'the history of an unknown check', request: get('/health/nope/history'), status: 404 },
  { what: 'no Host header', request: 'GET /live HTTP/1.1\r\nConnection: close\r\n\r\n', status: 400 },
  {
    what: 'a body, which no route takes',
    request: `POST /health HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${httpLimits.bodyLimit + 1}\r\nConnection: close\r\n\r\n${'b'.repeat(httpLimits.bodyLimit + 1)}`,
    status: 413,
  },
  {
    what: 'a body of an unknown type on a route that does not exist',
    request: `POST /health HTTP/1.1\r\nHost: x\r\nContent-Type: application/${'t'.repeat(900)}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`,
    status: 404,
  },
  { what: 'the OpenAPI document', request: get('/openapi.yaml'), status: 200 },
  {
    what: 'HEAD of an unknown route',
    request: `HEAD /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    status: 404,
  },
  { what: '/live', request: get('/live'), status: 200 },
  { what: 'the status page', request: get('/status'), status: 200 },
  { what: 'the badge of the whole', request: get('/badge.svg'), status: 200 },
  { what: 'an unknown badge', request: get(`/badge/${'b'.repeat(90)}.svg`), status: 404, message: /no check named/ },
]

t.test(
  'through a raw socket: every answer has the documented headers and, for an error, the error shape',
  async (t) => {
    const { app } = await appWith({}, { checks: [check] })
    t.teardown(() => app.close())
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo
    for (const c of cases) {
      const answer = await rawRequest(port, c.request)
      t.equal(answer.status, c.status, `${c.what}: ${c.status}`)
      t.same(contractProblems(answer, c.request, c.request.startsWith('HEAD')), [], `${c.what}: keeps the contract`)
      if (c.message) t.match(JSON.parse(answer.body).message, c.message, `${c.what}: says what is wrong`)
      t.not(answer.ended, 'reset', `${c.what}: the connection is not reset`)
    }
  },
)

t.test('a message echoes a bounded, scrubbed prefix of what the client sent', async (t) => {
  const secret = 'jwt-secret-for-the-echo-test-0123456789abcdef'
  const { app } = await appWith({ JWT_SECRET: secret }, { checks: [check] })
  t.teardown(() => app.close())
  for (const url of [`/x${secret}`, `/health/${secret}`, `/health?exclude=${secret}`]) {
    const res = await app.inject(url)
    t.ok(res.statusCode >= 400, url)
    t.notMatch(res.body, secret, `${url}: the secret is scrubbed`)
    t.equal(res.headers['cache-control'], 'no-store', `${url}: no-store`)
  }
  const many = Array.from({ length: 100 }, (_, i) => `exclude=name-${i}`).join('&')
  const res = await app.inject(`/health?${many}`)
  t.equal(res.statusCode, 400)
  t.ok(res.json().message.length <= httpLimits.maxMessageLength, 'a list of unknown names is cut too')
})

// "10 s (looked at every second: cut within 11 s)" in docs/responses.md's table of limits, as numbers
function documentedLimit(what: string): { afterMs: number; withinMs: number } {
  const doc = readFileSync(new URL('../../docs/responses.md', import.meta.url), 'utf8')
  const row = doc.split('\n').find((l) => l.startsWith(`| ${what} |`))
  const m = row && /\| (\d+) s \(looked at every second: cut within (\d+) s\) \| 408/.exec(row)
  if (!m) throw new Error(`docs/responses.md has no 408 row for "${what}"`)
  return { afterMs: Number(m[1]) * 1000, withinMs: Number(m[2]) * 1000 }
}

t.test('a client that never finishes its headers gets its 408 when docs/responses.md says', async (t) => {
  const documented = documentedLimit('time to receive the headers')
  t.equal(documented.afterMs, httpLimits.headersTimeoutMs, 'the docs give the limit the server has')
  t.equal(documented.withinMs, httpLimits.headersTimeoutMs + httpLimits.timeoutCheckIntervalMs)
  t.equal(documentedLimit('time to receive a whole request').afterMs, httpLimits.requestTimeoutMs)
  const { app } = await appWith({}, { checks: [check] })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const started = performance.now()
  const answer = await rawRequest(port, 'GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\n', 60_000)
  const ms = performance.now() - started
  t.equal(answer.status, 408)
  t.ok(ms >= documented.afterMs - 100, `not before the limit (${Math.round(ms)} ms)`)
  // a busy machine's timers are late by far less than the margin
  t.ok(ms < documented.withinMs + 3000, `cut within what the docs say, plus a margin (${Math.round(ms)} ms)`)
})

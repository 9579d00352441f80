import t, { type Test } from 'tap'
import type { CheckDefinition } from '../../src/checks/types.js'
import { MARGIN_MS, probeCheck } from './probe.js'
import type { Fake } from './fakes/http.js'
import { noSecrets, type Secret } from './secrets.js'

export const TIMEOUT_MS = 2000
export const HANG_TIMEOUT_MS = 300

export interface Expect {
  status: 'pass' | 'warn' | 'fail'
  reason?: string
  output: RegExp
}

export interface Suite<M extends string> {
  def: CheckDefinition
  secrets: Secret[]
  start: (mode: M) => Promise<Fake>
  env: (fake: Fake, secrets: { valid: string; invalid: string }) => Record<string, string>
  cases: { valid: Expect; invalid: Expect; error: Expect }
}

// valid, invalid, 429 with Retry-After, 5xx and hang, each held to status, reason, output, time, secrets and request count
export function standardCases<M extends string>(name: string, suite: Suite<M>): void {
  const [good, bad] = suite.secrets
  const run = async (t: Test, mode: M, useBad: boolean, expect: Expect, extraEnv: Record<string, string> = {}, timeoutMs = TIMEOUT_MS) => {
    const fake = await suite.start(mode)
    t.teardown(() => fake.close())
    const env: Record<string, string> = { HEALTH_TIMEOUT_MS: String(timeoutMs), ...suite.env(fake, { valid: good.value, invalid: bad.value }), ...extraEnv }
    if (useBad) env[Object.keys(env).find((k) => env[k] === good.value)!] = bad.value
    const p = await probeCheck(t, suite.def, env)
    t.equal(p.entry.status, expect.status, 'status')
    t.equal(p.entry.reason, expect.reason, 'reason code')
    t.match(p.entry.output ?? '', expect.output, 'actionable output')
    t.equal(p.httpStatus, expect.status === 'fail' ? 503 : 200, 'HTTP status of /health/<name>')
    t.ok(p.elapsedMs < timeoutMs + MARGIN_MS, `answered within the timeout plus a margin (${Math.round(p.elapsedMs)}ms)`)
    await p.poll(4, Object.keys(extraEnv).length > 0 ? '?fresh=1' : '')
    t.equal(fake.requests.length, 1, 'one request to the provider, however often /health is polled')
    noSecrets(t, suite.secrets, { 'the responses': p.bodies(), 'the logs': p.logs.text() })
    return { fake, p }
  }

  t.test(`${name}: valid credentials`, async (t) => {
    await run(t, 'ok' as M, false, suite.cases.valid)
  })
  t.test(`${name}: invalid credentials`, async (t) => {
    await run(t, 'ok' as M, true, suite.cases.invalid)
  })
  t.test(`${name}: 429 is a warning, and no probe is sent before Retry-After passes`, async (t) => {
    // a one-millisecond lifetime and ?fresh polls would probe again at once, but for the Retry-After
    const { p } = await run(t, 'ratelimit' as M, false, { status: 'warn', reason: 'RATE_LIMITED', output: /429 \(rate limited\); next probe in 120s/ }, {
      HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1',
      HEALTH_MAX_STALE_MS: '0',
      HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    }, TIMEOUT_MS)
    t.ok(Date.parse(p.entry.expires) - Date.now() > 100_000, 'the result lives until Retry-After passes')
  })
  t.test(`${name}: a server error`, async (t) => {
    await run(t, 'error' as M, false, suite.cases.error)
  })
  t.test(`${name}: a hang is cancelled at the timeout and its socket closed`, async (t) => {
    const { fake } = await run(t, 'hang' as M, false, { status: 'fail', reason: 'TIMEOUT', output: new RegExp(`no answer within ${HANG_TIMEOUT_MS}ms`) }, {}, HANG_TIMEOUT_MS)
    await fake.allSocketsClosed()
    t.equal(fake.openSockets(), 0, 'the probe closed its socket')
  })
}

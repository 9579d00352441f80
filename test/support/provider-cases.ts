import type { Test } from 'tap'
import pino from 'pino'
import type { CheckDefinition } from '../../src/checks/types.js'
import type { Clock } from '../../src/engine/clock.js'
import { ManualClock } from './clock.js'
import { testConfig } from './helpers.js'
import { MARGIN_MS, probeCheck, type CheckProbe } from './probe.js'
import { startFake, type Fake } from './fakes/http.js'
import { noSecrets, type Secret } from './secrets.js'

export const TIMEOUT_MS = 2000
// long enough for a loaded machine to reach the fake before the timeout fires, short enough to keep the suite quick
export const HANG_TIMEOUT_MS = 1000

export interface Expect {
  status: 'pass' | 'warn' | 'fail'
  reason?: string
  output: RegExp
}

// What every fake provider can be told to do: answer as the provider does, 429 with Retry-After: 120, 500, or never.
export type Mode = 'ok' | 'ratelimit' | 'error' | 'hang'

// A provider as the standard cases see it.
export interface Provider {
  def: CheckDefinition
  // every secret of the accepted and the rejected settings
  secrets: readonly (Secret | string)[]
  start(mode: Mode): Promise<Fake>
  // the settings that point the check at the fake, with the accepted credentials or the rejected ones
  env(fake: Fake, bad: boolean): Record<string, string>
  expect: { valid: Expect; invalid: Expect; error: Expect }
  // a 200 without what the provider documents in it: the output must name the setting that points there
  shape: { output: RegExp; nearMiss?: unknown }
}

// What a wrong address can answer with 200: an empty object, or a page of a proxy or a login wall.
const strangers: Record<string, (nearMiss: unknown) => { type: string; body: string } | undefined> = {
  'an empty JSON object': () => ({ type: 'application/json', body: '{}' }),
  'an HTML page': () => ({ type: 'text/html', body: '<!doctype html><html><body>Sign in</body></html>' }),
  'JSON close to the real answer': (nearMiss) =>
    nearMiss === undefined ? undefined : { type: 'application/json', body: JSON.stringify(nearMiss) },
}

interface Run {
  mode: Mode
  bad?: boolean
  env?: Record<string, string>
  timeoutMs?: number
  clock?: Clock
}

// The cases every check of a third-party HTTP API must pass: accepted and rejected credentials, a 429 with
// Retry-After, a server error, a provider that never answers, nothing listening, and no secret in anything it says.
export function standardCases(tap: Test, p: Provider): void {
  const name = p.def.name

  const run = async (t: Test, r: Run, expect: Expect): Promise<CheckProbe & { fake: Fake }> => {
    const fake = await p.start(r.mode)
    t.teardown(() => fake.close())
    const timeoutMs = r.timeoutMs ?? TIMEOUT_MS
    const probed = await probeCheck(
      t,
      p.def,
      {
        HEALTH_TIMEOUT_MS: String(timeoutMs),
        HEALTH_MIN_PROBE_INTERVAL_MS: '0',
        ...p.env(fake, r.bad ?? false),
        ...r.env,
      },
      { clock: r.clock },
    )
    t.equal(probed.entry.status, expect.status, 'status')
    t.equal(probed.entry.reason, expect.reason, 'reason code')
    t.match(probed.entry.output ?? '', expect.output, 'actionable output')
    t.equal(probed.httpStatus, expect.status === 'fail' ? 503 : 200, 'HTTP status of /health/<name>')
    const early = r.mode === 'hang' ? timeoutMs - 10 : 0
    t.ok(
      probed.elapsedMs >= early && probed.elapsedMs < timeoutMs + MARGIN_MS,
      `answered within the timeout plus a margin (${Math.round(probed.elapsedMs)}ms)`,
    )
    return { fake, ...probed }
  }
  const nothingLeaks = (t: Test, r: CheckProbe) =>
    noSecrets(t, p.secrets, { 'the responses': r.bodies(), 'the logs': r.logs.text() })

  tap.test(`${name}: valid credentials pass, with exactly one request however often /health is polled`, async (t) => {
    const r = await run(t, { mode: 'ok' }, p.expect.valid)
    t.equal(r.entry.liveCheck, true)
    await r.poll(20)
    t.equal(r.fake.requests.length, 1, 'one request per cache lifetime')
    t.equal(r.app.health.runner.probeCount(name), 1)
    nothingLeaks(t, r)
  })

  tap.test(`${name}: rejected credentials fail, naming the setting, and the secret appears nowhere`, async (t) => {
    const r = await run(t, { mode: 'ok', bad: true }, p.expect.invalid)
    await r.poll(5)
    t.match(
      (await r.get('?verbose')).body,
      new RegExp(p.expect.invalid.reason ?? 'fail'),
      'the text view gives the reason',
    )
    t.equal(r.fake.requests.length, 1, 'a failure is cached too: no retry storm')
    nothingLeaks(t, r)
  })

  tap.test(`${name}: the check itself leaks no secret, even without the output scrubber`, async (t) => {
    const fake = await p.start('ok')
    t.teardown(() => fake.close())
    const probeImpl = await p.def.start!({
      config: testConfig(p.env(fake, true)),
      log: pino({ level: 'silent' }),
      timeoutMs: TIMEOUT_MS,
      clientTimeoutMs: TIMEOUT_MS,
    })
    t.teardown(() => probeImpl.close?.())
    const err = await probeImpl.run(new AbortController().signal).then(
      () => undefined,
      (e: Error & { extra?: unknown }) => e,
    )
    t.ok(err, 'the rejected credentials throw')
    noSecrets(t, p.secrets, { message: String(err?.message), extra: JSON.stringify(err?.extra ?? {}) })
  })

  tap.test(
    `${name}: 429 with Retry-After is a warn RATE_LIMITED, and no request is sent before Retry-After passes`,
    async (t) => {
      // a one-millisecond lifetime, no stale window and ?fresh polls would probe again at once, but for the Retry-After
      const env = { HEALTH_THIRD_PARTY_CACHE_TTL_MS: '1', HEALTH_MAX_STALE_MS: '0' }
      const clock = new ManualClock()
      const r = await run(
        t,
        { mode: 'ratelimit', env, clock },
        { status: 'warn', reason: 'RATE_LIMITED', output: /429 \(rate limited\); next probe in 120s/ },
      )
      t.ok(Date.parse(r.entry.expires) - Date.parse(r.entry.time) >= 119_000, 'the result lives until Retry-After')
      t.equal(r.json.status, 'warn', 'a rate limit is not an outage')
      // past the 1 ms lifetime, far short of the Retry-After: only the wait can hold the probe back
      clock.advance(1000)
      await r.poll(5)
      await r.poll(5, '?fresh=1')
      t.equal(r.fake.requests.length, 1, 'nothing is sent before Retry-After')
      nothingLeaks(t, r)
    },
  )

  tap.test(`${name}: a server error is UPSTREAM_ERROR`, async (t) => {
    const r = await run(t, { mode: 'error' }, p.expect.error)
    await r.poll()
    t.equal(r.fake.requests.length, 1)
    nothingLeaks(t, r)
  })

  tap.test(`${name}: a provider that never answers is TIMEOUT at the timeout, and the socket is closed`, async (t) => {
    const r = await run(
      t,
      { mode: 'hang', timeoutMs: HANG_TIMEOUT_MS },
      { status: 'fail', reason: 'TIMEOUT', output: new RegExp(`no answer within ${HANG_TIMEOUT_MS}ms`) },
    )
    await r.poll()
    t.equal(r.fake.requests.length, 1)
    await r.fake.allSocketsClosed()
    t.equal(r.fake.openSockets(), 0, 'the cancelled request closed its socket')
    nothingLeaks(t, r)
  })

  for (const [what, answer] of Object.entries(strangers)) {
    const given = answer(p.shape.nearMiss)
    if (!given) continue
    tap.test(`${name}: 200 with ${what} is never a pass: BAD_RESPONSE naming the setting`, async (t) => {
      const fake = await startFake((_req, res) => {
        res.writeHead(200, { 'content-type': given.type })
        res.end(given.body)
      })
      t.teardown(() => fake.close())
      const { entry } = await probeCheck(t, p.def, { HEALTH_MIN_PROBE_INTERVAL_MS: '0', ...p.env(fake, false) })
      t.equal(entry.status, 'fail', 'status')
      t.equal(entry.reason, 'BAD_RESPONSE', 'reason code')
      t.match(entry.output ?? '', p.shape.output, 'names the setting to check')
      t.equal(fake.requests.length, 1)
    })
  }

  tap.test(`${name}: nothing listening is REFUSED`, async (t) => {
    const fake = await p.start('ok')
    const env = p.env(fake, false)
    await fake.close()
    const { entry } = await probeCheck(t, p.def, env)
    t.equal(entry.status, 'fail')
    t.equal(entry.reason, 'REFUSED')
    t.match(entry.output, /connection refused 127\.0\.0\.1:\d+/)
  })
}

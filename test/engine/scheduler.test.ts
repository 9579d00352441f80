import t, { type Test } from 'tap'
import { CheckRunner } from '../../src/engine/runner.js'
import { RefreshScheduler, START_SPREAD_MS, staleAfter } from '../../src/engine/scheduler.js'
import type { ProbeExecutor, ProbeOutcome } from '../../src/engine/executor.js'
import { CheckError, type CheckDefinition } from '../../src/checks/types.js'
import type { StatusChange } from '../../src/engine/result.js'
import { createLogger } from '../../src/logger.js'
import { createSanitizer } from '../../src/sanitize.js'
import { Reason } from '../../src/reasons.js'
import { synthetic } from '../support/checks.js'
import { ManualClock, ManualTimers } from '../support/clock.js'
import { deferred, settle } from '../support/engine.js'
import { appWith, captureLogs, testConfig } from '../support/helpers.js'

const TTL = 5000
const TIMEOUT = 2000

// A runner whose probes answer at once (or as `outcome` says), driven by a manual clock and manual timers.
function setup(
  t: Test,
  defs: CheckDefinition[],
  opts: {
    env?: Record<string, string>
    executor?: ProbeExecutor
    random?: () => number
    maxConcurrent?: number
  } = {},
) {
  const clock = new ManualClock()
  const timers = new ManualTimers(clock)
  const config = testConfig({
    HEALTH_CACHE_TTL_MS: String(TTL),
    HEALTH_TIMEOUT_MS: String(TIMEOUT),
    HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    ...opts.env,
  })
  const logs = captureLogs()
  const scrub = createSanitizer(config.secrets)
  const executor = opts.executor
  const runner = new CheckRunner(defs, config, createLogger('debug', scrub, logs.stream), {
    scrub,
    clock,
    ...(executor ? { executorFor: () => executor, executors: [executor] } : {}),
  })
  const changes: StatusChange[] = []
  runner.onResult((_r, change) => change && changes.push(change))
  const scheduler = new RefreshScheduler(runner, {
    maxConcurrent: opts.maxConcurrent ?? 4,
    minProbeIntervalMs: config.health.HEALTH_MIN_PROBE_INTERVAL_MS,
    timers,
    random: opts.random ?? (() => 0.5),
  })
  t.teardown(async () => {
    scheduler.close()
    await runner.close()
  })
  // moves the clock by ms in steps, firing the timers that come due and letting landed probes settle
  const pass = async (ms: number, step = 100) => {
    for (let left = ms; left > 0; left -= step) {
      clock.advance(Math.min(step, left))
      timers.fire()
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    }
  }
  return { clock, timers, runner, scheduler, changes, pass, logs }
}

// An executor whose probes wait until released: a stalled probe thread.
function stalledExecutor() {
  const gates: { resolve: (o: ProbeOutcome) => void }[] = []
  let runs = 0
  const executor: ProbeExecutor = {
    run: () => {
      runs++
      const d = deferred<ProbeOutcome>()
      gates.push(d)
      return d.promise
    },
    close: async () => {
      for (const g of gates) g.resolve({ obs: {} })
    },
  }
  return { executor, release: () => gates.splice(0).forEach((g) => g.resolve({ obs: {} })), runs: () => runs }
}

t.test('with nothing polling, every probing check is refreshed before its result expires', async (t) => {
  const a = synthetic('a', async () => ({}))
  const b = synthetic('b', async () => ({}), { tier: 'important', cacheTtlMs: 60_000 })
  const { clock, runner, scheduler, pass } = setup(t, [a.def, b.def])
  scheduler.start()
  await pass(START_SPREAD_MS)
  t.equal(a.stats.runs, 1, 'probed at start, though nothing asked')
  t.equal(b.stats.runs, 1, 'an important check too')
  let worstShare = 0
  let expiredSeen = 0
  for (let i = 0; i < 200; i++) {
    await pass(100)
    for (const def of [a.def, b.def]) {
      const r = runner.view(def.name).result!
      worstShare = Math.max(worstShare, (clock.now() - r.observedAt) / runner.ttlOf(def))
      if (clock.now() >= r.expiresAt) expiredSeen++
    }
  }
  t.equal(expiredSeen, 0, 'a poll at any moment finds a result that has not expired: it never waits for a probe')
  t.ok(worstShare < 1, `every result is less than one lifetime old (worst ${worstShare.toFixed(2)} of it)`)
  // 20 s of 5 s lifetimes, refreshed a tenth of a lifetime ahead: 4 or 5 refreshes, not one per tick
  t.ok(a.stats.runs >= 5 && a.stats.runs <= 6, `a: ${a.stats.runs} probes in 21 s`)
  t.equal(b.stats.runs, 1, 'b: its 60 s lifetime has not come round yet')
})

t.test('the first refreshes are spread over the start instead of firing together', async (t) => {
  const made = Array.from({ length: 10 }, (_, i) => synthetic(`c${i}`, async () => ({})))
  let n = 0
  const { scheduler, pass } = setup(
    t,
    made.map((m) => m.def),
    { random: () => (n++ % 10) / 10, maxConcurrent: 64 },
  )
  scheduler.start()
  const startedAt: number[] = []
  for (let ms = 0; ms <= START_SPREAD_MS; ms += 100) {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    startedAt.push(made.filter((m) => m.stats.runs > 0).length)
    await pass(100)
  }
  t.equal(startedAt[0], 1, 'one check at the very start')
  t.ok(startedAt[5] > 1 && startedAt[5] < 10, `half-way through the spread, ${startedAt[5]} of 10 have started`)
  t.equal(startedAt.at(-1), 10, 'all of them within the spread')
})

t.test('single-flight with requests: a due refresh joins the probe a request started', async (t) => {
  const gate = deferred<object>()
  const a = synthetic('a', () => gate.promise)
  const { runner, scheduler, pass } = setup(t, [a.def])
  const asked = runner.get('a')
  t.ok(asked instanceof Promise)
  scheduler.start()
  await pass(START_SPREAD_MS)
  t.equal(runner.probeCount('a'), 1, 'the scheduler joined the request’s probe')
  gate.resolve({})
  await asked
  t.equal(runner.probeCount('a'), 1)
})

t.test('a probe asked for by a request moves the schedule: no second probe right after it', async (t) => {
  const a = synthetic('a', async () => ({}))
  const { runner, scheduler, pass } = setup(t, [a.def])
  scheduler.start()
  await pass(START_SPREAD_MS)
  t.equal(a.stats.runs, 1)
  await pass(3000)
  await runner.get('a', { fresh: true })
  t.equal(a.stats.runs, 2, 'the fresh probe')
  await pass(1500)
  t.equal(a.stats.runs, 2, 'the schedule follows the fresh result: nothing due 4.5 s after the first one')
  await pass(3000)
  t.equal(a.stats.runs, 3, 'and refreshes the fresh result ahead of its own expiry')
})

t.test('HEALTH_MIN_PROBE_INTERVAL_MS holds for a check whose lifetime is shorter', async (t) => {
  const a = synthetic('a', async () => ({}), { cacheTtlMs: 100 })
  const { scheduler, pass } = setup(t, [a.def], { env: { HEALTH_MIN_PROBE_INTERVAL_MS: '1000' } })
  scheduler.start()
  await pass(100)
  const first = a.stats.runs
  await pass(5000, 50)
  t.ok(a.stats.runs - first <= 5, `${a.stats.runs - first} probes in 5 s, at most one a second`)
  t.ok(a.stats.runs - first >= 4, 'and it is still refreshed')
})

t.test("a provider's Retry-After holds the background refresh back", async (t) => {
  let n = 0
  const { def, stats } = synthetic('rl', async () => {
    n++
    if (n === 1) {
      throw new CheckError(Reason.RATE_LIMITED, 'slow down', { retryAfterMs: 60_000 })
    }
    return {}
  })
  const { runner, scheduler, pass } = setup(t, [def])
  scheduler.start()
  await pass(START_SPREAD_MS)
  t.equal(stats.runs, 1)
  t.equal(runner.view('rl').result?.reason, Reason.RATE_LIMITED)
  await pass(58_000, 1000)
  t.equal(stats.runs, 1, 'no probe while the Retry-After holds')
  await pass(4000, 500)
  t.equal(stats.runs, 2, 'one probe once it has passed')
})

t.test('at most HEALTH_MAX_CONCURRENT_PROBES background probes at once, the most overdue first', async (t) => {
  const gates: (() => void)[] = []
  let running = 0
  let most = 0
  const order: string[] = []
  const made = Array.from({ length: 8 }, (_, i) =>
    synthetic(`g${i}`, () => {
      running++
      most = Math.max(most, running)
      order.push(`g${i}`)
      return new Promise((resolve) =>
        gates.push(() => {
          running--
          resolve({})
        }),
      )
    }),
  )
  let k = 0
  const { scheduler, pass } = setup(
    t,
    made.map((m) => m.def),
    { maxConcurrent: 3, random: () => (7 - k++) / 8 },
  )
  scheduler.start()
  await pass(START_SPREAD_MS)
  t.equal(running, 3, 'three run, five wait')
  t.same(order, ['g7', 'g6', 'g5'], 'in the order they came due')
  while (gates.length > 0) {
    gates.shift()!()
    await pass(10, 10)
  }
  await pass(10, 10)
  t.equal(most, 3, 'never more than three')
  t.equal(order.length, 8, 'every one ran once a place was free')
})

t.test('checks that are not configured or format-only cost nothing: no probe, a result all the same', async (t) => {
  const formatOnly = synthetic('format', undefined, { live: false })
  const skipped = synthetic('skipped', async () => ({}), {
    tier: 'optional',
    settings: ['SENTRY_DSN'],
  })
  const { runner, scheduler, pass } = setup(t, [formatOnly.def, skipped.def])
  scheduler.start()
  await pass(30_000, 1000)
  t.same(scheduler.scheduled, [], 'nothing scheduled')
  t.equal(skipped.stats.started, 0, 'never started')
  t.equal(runner.view('skipped').result?.status, 'skipped')
  t.equal(runner.view('format').result?.status, 'pass')
})

t.test('a stalled executor: the check warns STALE, then fails, then recovers with the next real result', async (t) => {
  const stalled = stalledExecutor()
  const a = synthetic('a', async () => ({}))
  const { runner, scheduler, pass, changes, clock } = setup(t, [a.def], { executor: stalled.executor })
  scheduler.start()
  await pass(START_SPREAD_MS)
  stalled.release()
  await pass(100)
  const first = runner.view('a').result!
  t.equal(first.status, 'pass')
  // the refresh that follows never lands
  await pass(TTL, 250)
  t.equal(stalled.runs(), 2, 'the next refresh started and hangs')
  const limits = staleAfter(TTL, TIMEOUT)
  const warnAt = first.expiresAt + limits.warn
  await pass(warnAt - clock.now() - 250, 250)
  t.equal(runner.view('a').result?.status, 'pass', 'not yet')
  await pass(1000, 250)
  const warned = runner.view('a').result!
  t.equal(warned.status, 'warn', 'two lifetimes and a timeout overdue: a warning')
  t.equal(warned.reason, Reason.STALE)
  t.match(
    warned.output,
    /no new result for \d+s past its expiry \(one expected every 5s\).*stalled; its last result was pass/,
  )
  t.equal(warned.observedAt, first.observedAt, 'its age is the last observation’s')
  await pass(first.expiresAt + limits.fail - clock.now() + 1000, 1000)
  const failed = runner.view('a').result!
  t.equal(failed.status, 'fail', 'then a failure: nothing is known of the dependency any more')
  t.equal(failed.reason, Reason.STALE)
  t.same(
    changes.map((c) => `${c.from}>${c.to}:${c.reason ?? ''}`),
    ['null>pass:', 'pass>warn:STALE', 'warn>fail:STALE'],
    'each change told once (history, notifications)',
  )
  t.equal(stalled.runs(), 2, 'no pile of probes behind the stalled one')
  stalled.release()
  await pass(100)
  t.equal(runner.view('a').result?.status, 'pass', 'the next real result replaces the mark')
  t.equal(changes.at(-1)?.to, 'pass')
})

t.test('a check never observed since the start is reported as such', async (t) => {
  const stalled = stalledExecutor()
  const a = synthetic('a', async () => ({}))
  const { runner, scheduler, pass } = setup(t, [a.def], { executor: stalled.executor })
  scheduler.start()
  await pass(staleAfter(TTL, TIMEOUT).warn + 1000, 500)
  const r = runner.view('a').result!
  t.equal(r.status, 'warn')
  t.equal(r.reason, Reason.STALE)
  t.match(r.output, /never observed since the start \d+s ago/)
  stalled.release()
})

t.test('close() stops the schedule: no probe and no timer after it', async (t) => {
  const a = synthetic('a', async () => ({}))
  const { scheduler, timers, pass } = setup(t, [a.def])
  scheduler.start()
  await pass(START_SPREAD_MS)
  scheduler.close()
  const runs = a.stats.runs
  t.equal(timers.nextAt, undefined, 'no timer left')
  await pass(20_000, 1000)
  t.equal(a.stats.runs, runs)
})

t.test('the app: /metrics shows every check observed though only /live was polled', async (t) => {
  const clock = new ManualClock()
  const timers = new ManualTimers(clock)
  const made = ['p', 'q', 'r'].map((n, i) =>
    synthetic(n, async () => ({}), { tier: (['critical', 'important', 'optional'] as const)[i] }),
  )
  const { app } = await appWith(
    { HEALTH_CACHE_TTL_MS: String(TTL) },
    { checks: made.map((m) => m.def), background: true, clock, timers, random: () => 0 },
  )
  t.teardown(() => app.close())
  t.ok(app.health.scheduler, 'background probing is on')
  app.health.scheduler!.start()
  for (let i = 0; i < 30; i++) {
    clock.advance(500)
    timers.fire()
    await app.inject('/live')
  }
  await settle(t, () => made.every((m) => m.stats.runs >= 2), 'each check was refreshed in the background')
  const metrics = (await app.inject('/metrics')).body
  for (const n of ['p', 'q', 'r']) {
    t.match(metrics, new RegExp(`huntaze_health_check_observed\\{check="${n}",tier="\\w+"\\} 1`), `${n} observed`)
    const m = new RegExp(`huntaze_health_check_last_observed_timestamp_seconds\\{check="${n}",[^}]*\\} (\\S+)`).exec(
      metrics,
    )
    t.ok(m && clock.now() / 1000 - Number(m[1]) < TTL / 1000, `${n}: at most one lifetime old`)
  }
  const { app: pull } = await appWith({}, { checks: [synthetic('p', async () => ({})).def], clock })
  t.teardown(() => pull.close())
  t.equal(pull.health.scheduler, undefined, 'without it (on demand), nothing probes a check nobody asks about')
})

import t from 'tap'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { CheckError } from '../../src/checks/types.js'
import { History, MINUTE_MS, MINUTES_KEPT, OUTPUT_KEPT, TRANSITIONS_KEPT } from '../../src/engine/history.js'
import type { CheckResult, StatusChange } from '../../src/engine/result.js'
import type { CheckStatus } from '../../src/engine/status.js'
import { Reason } from '../../src/reasons.js'
import { createSanitizer } from '../../src/sanitize.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'
import { delay, one, runnerWith } from '../support/engine.js'
import { echoed, tellsIn } from '../support/secrets.js'

const HOUR_MS = 60 * MINUTE_MS

// A check whose probes observe the statuses of `plan` in turn (fail with a numbered output), then pass.
function planned(name: string, plan: readonly CheckStatus[]) {
  return synthetic(name, async (_signal, n) => {
    const s = plan[n - 1] ?? 'pass'
    if (s === 'fail') throw new CheckError(Reason.REFUSED, `refused, probe ${n}`)
    return s === 'warn' ? { status: 'warn', reason: Reason.DEGRADED, output: `slow, probe ${n}` } : {}
  })
}

// A history over a runner of these checks, probed on demand (fresh, no minimum interval) with a manual clock.
function historyWith(
  t: Parameters<typeof runnerWith>[0],
  defs: Parameters<typeof runnerWith>[1],
  env: Record<string, string> = {},
) {
  const clock = new ManualClock()
  const { runner } = runnerWith(t, defs, { HEALTH_MIN_PROBE_INTERVAL_MS: '0', ...env }, { clock })
  const history = new History(runner, createSanitizer([]))
  const probe = (name: string) => one(runner, name, { fresh: true })
  return { clock, runner, history, probe }
}

t.test('transitions: each change of the reported status, with reason and output, newest first', async (t) => {
  const c = planned('flappy', ['pass', 'fail', 'fail', 'pass', 'warn'])
  const { clock, history, probe } = historyWith(t, [c.def])
  const at: number[] = []
  for (let i = 0; i < 5; i++) {
    at.push(clock.now())
    await probe('flappy')
    clock.advance(1000)
  }
  const kept = history.of('flappy').transitions
  t.same(
    kept.map((k) => [k.from, k.to]),
    [
      ['pass', 'warn'],
      ['fail', 'pass'],
      ['pass', 'fail'],
      [null, 'pass'],
    ],
    'four changes, newest first; the second fail changed nothing',
  )
  t.same(
    kept.map((k) => k.at),
    [at[4], at[3], at[1], at[0]],
  )
  t.equal(kept[2].reason, Reason.REFUSED)
  t.equal(kept[2].output, 'refused, probe 2')
  t.equal(kept[0].reason, Reason.DEGRADED)
  t.match(kept[0].output, /slow, probe 5/)
  t.notOk(kept[1].reason, 'a pass has no reason')
})

t.test(
  'transitions follow the damped status: a change held back is no transition; since is when it began',
  async (t) => {
    const c = planned('damped', ['pass', 'fail', 'pass', 'fail', 'fail', 'fail'])
    const { clock, history, probe } = historyWith(t, [c.def], { HEALTH_FAIL_AFTER: '3' })
    const at: number[] = []
    for (let i = 0; i < 6; i++) {
      at.push(clock.now())
      await probe('damped')
      clock.advance(1000)
    }
    const [latest, first, ...rest] = history.of('damped').transitions
    t.same(rest, [], 'two transitions: the first result and the fail three probes agreed on')
    t.same([first.from, first.to], [null, 'pass'])
    t.same([latest.from, latest.to, latest.at, latest.since], ['pass', 'fail', at[5], at[3]])
    const [minute] = history.of('damped').minutes
    t.same([minute.pass, minute.fail], [5, 1], 'the minute counts the reported status, not the observed one')
  },
)

t.test(`at most ${TRANSITIONS_KEPT} transitions are kept: the newest ones`, async (t) => {
  const plan = Array.from({ length: 131 }, (_, i): CheckStatus => (i % 2 === 0 ? 'pass' : 'fail'))
  const c = planned('flips', plan)
  const { clock, history, probe } = historyWith(t, [c.def])
  for (let i = 0; i < plan.length; i++) {
    await probe('flips')
    clock.advance(100)
  }
  const kept = history.of('flips').transitions
  t.equal(kept.length, TRANSITIONS_KEPT)
  t.equal(history.size('flips').transitions, TRANSITIONS_KEPT)
  t.equal(kept[0].output, undefined, 'the newest: probe 131 passed')
  t.equal(kept[1].output, 'refused, probe 130')
  t.equal(kept.at(-1)!.output, `refused, probe ${131 - TRANSITIONS_KEPT + 1}`, 'the oldest kept')
  t.ok(
    kept.every((k, i) => i === 0 || kept[i - 1].at > k.at),
    'newest first',
  )
})

t.test('a long output is cut, and scrubbed again after the cut, which can leave a head of a secret', async (t) => {
  const value = 'Qx7pL2mN8rT4vW6yZ0Jk9'
  const secret = echoed(value)
  const c = synthetic('long', async () => ({}))
  const clock = new ManualClock()
  const { runner } = runnerWith(t, [c.def], {}, { clock })
  const history = new History(runner, createSanitizer([value]))
  // the secret's first 6 characters end the cut text: a tell only once the cut puts an ellipsis after them
  const output = `${'x'.repeat(OUTPUT_KEPT - 6)}${value.slice(0, 6)}, then more words ${'y'.repeat(500)}`
  t.same(tellsIn([secret], output.replace(value.slice(0, 6) + ',', '')), [], 'the text has no tell but that head')
  history.record(result('long', 'fail', clock.now()), change('long', null, 'fail', clock.now(), output))
  const [kept] = history.of('long').transitions
  t.ok(kept.output!.length <= OUTPUT_KEPT + 20, `cut to about ${OUTPUT_KEPT} characters: ${kept.output!.length}`)
  t.ok(kept.output!.startsWith('x'.repeat(OUTPUT_KEPT - 6)))
  t.same(tellsIn([secret], kept.output!), [], 'no head of the secret next to the cut')
  const short = 'connection refused 127.0.0.1:6379'
  history.record(result('long', 'pass', clock.now()), change('long', 'fail', 'pass', clock.now(), short))
  t.equal(history.of('long').transitions[0].output, short, 'a short output is kept as it is')
})

t.test('minutes: results counted by reported status, with the slowest probe of each minute', async (t) => {
  const plan: CheckStatus[] = ['pass', 'pass', 'warn', 'fail', 'pass', 'pass']
  const c = synthetic('timed', async (signal, n) => {
    // the third probe of the first minute is the slow one
    if (n === 3) await delay(40, signal)
    if (plan[n - 1] === 'fail') throw new CheckError(Reason.TIMEOUT, 'too slow')
    return plan[n - 1] === 'warn' ? { status: 'warn', reason: Reason.DEGRADED, output: 'slow' } : {}
  })
  const { clock, history, probe } = historyWith(t, [c.def])
  clock.set(Math.floor(clock.now() / MINUTE_MS) * MINUTE_MS)
  const start = clock.now()
  const took: number[][] = [[], []]
  for (let i = 0; i < plan.length; i++) {
    // four probes in the first minute, two in the next
    if (i === 4) clock.set(start + MINUTE_MS + 5000)
    took[i < 4 ? 0 : 1].push((await probe('timed')).durationMs)
    clock.advance(1000)
  }
  const minutes = history.of('timed').minutes
  t.same(
    minutes.map((m) => ({ ...m, slowestMs: undefined })),
    [
      { start: start + MINUTE_MS, pass: 2, warn: 0, fail: 0, skipped: 0, slowestMs: undefined },
      { start, pass: 2, warn: 1, fail: 1, skipped: 0, slowestMs: undefined },
    ],
    'newest first, one entry a minute with results',
  )
  t.equal(minutes[1].slowestMs, Math.max(...took[0]), 'the slowest probe of the first minute')
  t.ok(minutes[1].slowestMs >= 35, `it is the slow probe: ${minutes[1].slowestMs}ms`)
  t.equal(minutes[0].slowestMs, Math.max(...took[1]))
  t.same(history.of('timed', 1).minutes, [minutes[0]], 'listing the last minute only')
  t.same(history.of('timed', 0).minutes, [], 'listing none')
})

t.test('a skipped check: counted as skipped, and no uptime', async (t) => {
  const c = synthetic('unset', undefined, { tier: 'optional', settings: ['SENTRY_DSN'] })
  const { history, probe } = historyWith(t, [c.def])
  const r = await probe('unset')
  t.equal(r.status, 'skipped')
  t.same(history.of('unset').uptime, { '1h': null, '24h': null }, 'nothing that counts')
  t.equal(history.of('unset').minutes[0].skipped, 1)
})

t.test('uptime over 1 h and 24 h: old minutes stop counting once out of the window', async (t) => {
  const clock = new ManualClock()
  const c = synthetic('up', async () => ({}))
  const { runner } = runnerWith(t, [c.def], {}, { clock })
  const history = new History(runner, createSanitizer([]))
  t.same(history.of('up').uptime, { '1h': null, '24h': null }, 'null before any result')
  const feed = (status: CheckStatus, n: number) => {
    for (let i = 0; i < n; i++) history.record(result('up', status, clock.now()), undefined)
  }
  // 3 fails and 1 pass, then 61 minutes on: 2 passes and 1 warn
  feed('fail', 3)
  feed('pass', 1)
  t.same(history.of('up').uptime, { '1h': 0.25, '24h': 0.25 })
  clock.advance(61 * MINUTE_MS)
  feed('pass', 2)
  feed('warn', 1)
  feed('skipped', 5)
  t.same(history.of('up').uptime, { '1h': 1, '24h': 4 / 7 }, 'the first minute is out of the hour, not of the day')
  clock.advance(23 * HOUR_MS)
  t.same(history.of('up').uptime, { '1h': null, '24h': 3 / 3 }, '24 h 1 min later: only the second minute counts')
  clock.advance(2 * HOUR_MS)
  t.same(history.of('up').uptime, { '1h': null, '24h': null }, '25 h after the second minute: nothing counts')
  t.same(history.of('up').minutes, [], 'and no minute is listed')
  t.equal(history.of('up').transitions.length, 0, 'records without a change add no transition')
})

t.test('a window edge: the hour is the current minute and the 59 before it', async (t) => {
  const clock = new ManualClock()
  const c = synthetic('edge', async () => ({}))
  const { runner } = runnerWith(t, [c.def], {}, { clock })
  const history = new History(runner, createSanitizer([]))
  clock.set(Math.floor(clock.now() / MINUTE_MS) * MINUTE_MS + 59_999)
  history.record(result('edge', 'fail', clock.now()), undefined)
  clock.advance(1 + 58 * MINUTE_MS)
  history.record(result('edge', 'pass', clock.now()), undefined)
  t.equal(history.of('edge').uptime['1h'], 0.5, 'the fail of 59 minutes before the current one still counts')
  clock.advance(MINUTE_MS)
  t.equal(history.of('edge').uptime['1h'], 1, 'one minute more and it no longer does')
})

t.test('a result older than the minute its slot holds (the wall clock went back) is not counted', async (t) => {
  const clock = new ManualClock()
  const c = synthetic('back', async () => ({}))
  const { runner } = runnerWith(t, [c.def], {}, { clock })
  const history = new History(runner, createSanitizer([]))
  const now = clock.now()
  history.record(result('back', 'pass', now), undefined)
  history.record(result('back', 'fail', now - MINUTES_KEPT * MINUTE_MS), undefined)
  t.same(
    history.of('back').minutes.map((m) => [m.pass, m.fail]),
    [[1, 0]],
    'the day-old result took no slot',
  )
})

t.test('memory is bounded: 20,000 results over 48 h keep the same store', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const clock = new ManualClock()
  const c = synthetic('busy', async () => ({}))
  const { runner } = runnerWith(t, [c.def], {}, { clock })
  const history = new History(runner, createSanitizer([]))
  const step = (48 * HOUR_MS) / 20_000
  const output = 'o'.repeat(2 * OUTPUT_KEPT)
  // every result changes the status: the worst case for transitions
  const drive = () => {
    let last: CheckStatus = 'pass'
    for (let i = 0; i < 20_000; i++) {
      const status: CheckStatus = i % 2 === 0 ? 'fail' : 'pass'
      history.record(result('busy', status, clock.now()), change('busy', last, status, clock.now(), output))
      last = status
      clock.advance(step)
    }
  }
  drive()
  t.same(history.size('busy'), { transitions: TRANSITIONS_KEPT, minuteSlots: MINUTES_KEPT })
  const day = history.of('busy')
  t.ok(day.minutes.length <= MINUTES_KEPT, `${day.minutes.length} minutes listed`)
  const counted = day.minutes.reduce((n, m) => n + m.pass + m.fail, 0)
  t.ok(Math.abs(counted - 10_000) <= 10, `the last day's results only: ${counted} of 20,000`)
  t.ok(
    day.transitions.every((k) => k.output!.length <= OUTPUT_KEPT + 1),
    'each output is cut',
  )
  gc()
  const before = process.memoryUsage().heapUsed
  drive()
  drive()
  gc()
  const grown = process.memoryUsage().heapUsed - before
  t.same(history.size('busy'), { transitions: TRANSITIONS_KEPT, minuteSlots: MINUTES_KEPT }, 'the same after 40,000')
  // the whole store of a check is about 50 KB: a store that grew with results would be megabytes over
  t.ok(grown < 4 * 1024 * 1024, `the heap grew by ${Math.round(grown / 1024)} KB over 40,000 more results`)
})

function result(name: string, status: CheckStatus, at: number): CheckResult {
  return {
    name,
    tier: 'critical',
    componentType: 'component',
    status,
    observedStatus: status,
    consecutive: 1,
    since: at,
    observedAt: at,
    durationMs: 1.5,
    expiresAt: at + 5000,
    liveCheck: true,
    findings: [],
    measurements: [],
  }
}

function change(name: string, from: CheckStatus | null, to: CheckStatus, at: number, output?: string): StatusChange {
  return { name, tier: 'critical', from, to, reason: to === 'fail' ? Reason.REFUSED : undefined, output, since: at, at }
}

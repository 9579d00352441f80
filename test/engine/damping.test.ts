import t from 'tap'
import { CheckError } from '../../src/checks/types.js'
import { ConfigError } from '../../src/config.js'
import { advance, parseDamping, type Standing } from '../../src/engine/damping.js'
import type { CheckStatus } from '../../src/engine/status.js'
import { Reason } from '../../src/reasons.js'
import { renderText, show } from '../../src/routes/render.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'
import { logLines, one, runnerWith } from '../support/engine.js'
import { appWith, testConfig } from '../support/helpers.js'

// Damping: a check's reported status moves only after enough consecutive probes agree, and says since when.

function walk(observed: CheckStatus[], failAfter: number, recoverAfter: number): Standing[] {
  const out: Standing[] = []
  let s: Standing | undefined
  observed.forEach((o, i) => {
    s = advance(s, o, i * 1000, { failAfter, recoverAfter })
    out.push(s)
  })
  return out
}

t.test('thresholds of 1 report every probe as it is', async (t) => {
  const seen: CheckStatus[] = ['pass', 'fail', 'pass', 'warn', 'fail', 'fail']
  t.same(
    walk(seen, 1, 1).map((s) => s.status),
    seen,
  )
})

t.test('going worse waits for failAfter agreeing probes, recovering for recoverAfter', async (t) => {
  const steps = walk(['pass', 'fail', 'fail', 'fail', 'pass', 'pass'], 3, 2)
  t.same(
    steps.map((s) => s.status),
    ['pass', 'pass', 'pass', 'fail', 'fail', 'pass'],
  )
  t.equal(steps[3].since, 1000, 'the failure began with the first failing probe of the run, not when it was reported')
  t.equal(steps[5].since, 4000, 'the recovery too')
  t.same(
    steps.map((s) => [s.observed, s.streak]),
    [
      ['pass', 1],
      ['fail', 1],
      ['fail', 2],
      ['fail', 3],
      ['pass', 1],
      ['pass', 2],
    ],
  )
})

t.test('a flapping dependency never moves a damped status', async (t) => {
  const flapping = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'pass' : 'fail') as CheckStatus)
  const steps = walk(flapping, 2, 2)
  t.same([...new Set(steps.map((s) => s.status))], ['pass'])
  t.same([...new Set(steps.map((s) => s.since))], [0], 'since stays where it began')
})

t.test('a probe that agrees with the reported status resets a pending change', async (t) => {
  const steps = walk(['pass', 'fail', 'fail', 'pass', 'fail', 'fail', 'fail'], 3, 1)
  t.same(
    steps.map((s) => s.status),
    ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail'],
  )
  t.equal(steps[6].since, 4000)
})

t.test('pass to warn is a change for the worse, warn to pass one for the better', async (t) => {
  t.same(
    walk(['pass', 'warn', 'warn', 'pass'], 2, 1).map((s) => s.status),
    ['pass', 'pass', 'warn', 'pass'],
  )
})

t.test('HEALTH_DAMPING: name=failAfter/recoverAfter, and what it refuses', async (t) => {
  t.same(
    parseDamping(' stripe=3/2 , redis=2/1 '),
    new Map([
      ['stripe', { failAfter: 3, recoverAfter: 2 }],
      ['redis', { failAfter: 2, recoverAfter: 1 }],
    ]),
  )
  t.same(parseDamping(''), new Map())
  for (const [raw, problem] of [
    ['stripe=3', /is not name=failAfter\/recoverAfter/],
    ['stripe:3/2', /is not name=failAfter\/recoverAfter/],
    ['stripe=0/1', /from 1 to 100/],
    ['stripe=101/1', /from 1 to 100/],
    ['stripe=1/1,stripe=2/2', /stripe is given twice/],
  ] as const) {
    const got = parseDamping(raw)
    t.ok(Array.isArray(got), `${raw} is refused`)
    t.match((got as string[]).join('\n'), problem, raw)
  }
  t.throws(() => testConfig({ HEALTH_DAMPING: 'stripe=x/1' }), {
    name: 'ConfigError',
    message: /HEALTH_DAMPING: "stripe=x\/1"/,
  })
  t.throws(() => testConfig({ HEALTH_FAIL_AFTER: '0' }), { name: 'ConfigError', message: /HEALTH_FAIL_AFTER/ })
})

t.test('a HEALTH_DAMPING name that is no check stops the start, naming the checks', async (t) => {
  const { def } = synthetic('known', async () => ({}))
  await t.rejects(appWith({ HEALTH_DAMPING: 'knwon=2/1' }, { checks: [def] }), {
    message: /HEALTH_DAMPING names no check knwon; the checks are known/,
  })
  t.throws(() => runnerWith(t, [def], { HEALTH_DAMPING: 'other=2/1' }), ConfigError)
})

// A check whose probe fails while `down` says so.
function switchable(name: string, cacheTtlMs = 1000) {
  const state = { down: false }
  const made = synthetic(
    name,
    async () => {
      if (state.down) throw new CheckError(Reason.REFUSED, `connection refused for ${name}`)
      return {}
    },
    { cacheTtlMs },
  )
  return { ...made, state }
}

t.test('through the runner: the reported status is damped, the last probe stays visible', async (t) => {
  const clock = new ManualClock()
  const c = switchable('flaky')
  const { runner, logs } = runnerWith(t, [c.def], { HEALTH_FAIL_AFTER: '3', HEALTH_RECOVER_AFTER: '2' }, { clock })
  const changes: string[] = []
  runner.onResult((r, change) => change && changes.push(`${change.from}->${change.to}@${change.since}`))
  const probe = async () => {
    clock.advance(1000)
    return one(runner, 'flaky', { fresh: true })
  }
  const start = clock.now()
  let r = await one(runner, 'flaky')
  t.same([r.status, r.observedStatus, r.consecutive, r.since], ['pass', 'pass', 1, start])
  c.state.down = true
  r = await probe()
  const failedAt = r.observedAt
  t.same([r.status, r.observedStatus, r.consecutive, r.reason], ['pass', 'fail', 1, 'REFUSED'], 'held back, not hidden')
  t.match(r.output, /connection refused for flaky/)
  r = await probe()
  t.same([r.status, r.consecutive], ['pass', 2])
  r = await probe()
  t.same(
    [r.status, r.observedStatus, r.consecutive, r.since],
    ['fail', 'fail', 3, failedAt],
    'the third agreeing probe',
  )
  c.state.down = false
  r = await probe()
  t.same([r.status, r.observedStatus], ['fail', 'pass'])
  r = await probe()
  t.same([r.status, r.observedStatus, r.consecutive], ['pass', 'pass', 2])
  t.same(changes, [`null->pass@${start}`, `pass->fail@${failedAt}`, `fail->pass@${r.since}`])
  const statusLines = logLines(logs).filter((l) => l.msg === 'check status changed')
  t.same(
    statusLines.map((l) => [l.previous, l.status]),
    [
      [null, 'pass'],
      ['pass', 'pass'],
      ['pass', 'fail'],
      ['fail', 'fail'],
      ['fail', 'pass'],
    ],
    'a line when the reported status changes, and one when the reason does (held back or not)',
  )
})

t.test('a per-check override applies to that check only', async (t) => {
  const clock = new ManualClock()
  const a = switchable('damped')
  const b = switchable('plain')
  const { runner } = runnerWith(t, [a.def, b.def], { HEALTH_DAMPING: 'damped=2/1' }, { clock })
  await runner.collect(['damped', 'plain'])
  a.state.down = b.state.down = true
  clock.advance(1000)
  const [da, pl] = await runner.collect(['damped', 'plain'], { fresh: true })
  t.equal(da.status, 'pass', 'damped waits for a second probe')
  t.equal(pl.status, 'fail', 'the other reports at once')
  t.same(runner.thresholdsOf('damped'), { failAfter: 2, recoverAfter: 1 })
  t.same(runner.thresholdsOf('plain'), { failAfter: 1, recoverAfter: 1 })
})

t.test('/ready, /health and the text view see the damped status and say since when', async (t) => {
  const clock = new ManualClock()
  const c = switchable('db')
  const { app } = await appWith({ HEALTH_FAIL_AFTER: '2' }, { checks: [c.def], clock })
  t.teardown(() => app.close())
  t.equal((await app.inject('/ready')).statusCode, 200)
  c.state.down = true
  clock.advance(1500)
  const held = await app.inject('/ready?fresh')
  t.equal(held.statusCode, 200, 'one failing probe of two does not fail readiness')
  const entry = held.json().checks['db:responseTime'][0]
  t.same([entry.status, entry.observedStatus, entry.consecutive, entry.reason], ['pass', 'fail', 1, 'REFUSED'])
  const firstFail = clock.now()
  const heldText = (await app.inject('/health?verbose')).body
  t.match(heldText, /\[\+\] db +pass .* for 1s +\(last 1 probe: fail\) REFUSED connection refused for db/)
  clock.advance(1500)
  const failed = await app.inject('/ready?fresh')
  t.equal(failed.statusCode, 503)
  const body = failed.json()
  t.equal(body.checks['db:responseTime'][0].since, new Date(firstFail).toISOString())
  t.equal(body.since, new Date(firstFail).toISOString(), 'the report says since when the whole fails')
  clock.advance(192_000)
  const text = (await app.inject('/ready?verbose')).body
  t.match(text, /\[-\] db +fail .* for 3m13s +REFUSED/)
  t.match(text, /readiness failed for 3m13s: 1 failed/)
})

t.test('the text view writes durations a person reads at a glance', async (t) => {
  const clock = new ManualClock()
  const { def } = synthetic('d', async () => ({}))
  const { runner } = runnerWith(t, [def], {}, { clock })
  const r = await one(runner, 'd')
  const line = (ms: number) => renderText('x', show([r], 'full'), 'pass', r.since + ms).split('\n')[0]
  for (const [ms, words] of [
    [0, 'for 0s'],
    [59_999, 'for 59s'],
    [60_000, 'for 1m00s'],
    [3_599_000, 'for 59m59s'],
    [3_600_000 + 5 * 60_000, 'for 1h05m'],
    [3 * 86_400_000 + 4 * 3_600_000, 'for 3d4h'],
  ] as const)
    t.match(line(ms), ` ${words}`, words)
})

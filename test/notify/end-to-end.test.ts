import t, { type Test } from 'tap'
import { CheckError, type Observation } from '../../src/checks/types.js'
import { Reason } from '../../src/reasons.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'
import { deferred, one } from '../support/engine.js'
import { json } from '../support/fakes/http.js'
import { clientSockets, eventually } from '../support/fakes/sockets.js'
import { startReceiver, type Receiver } from '../support/fakes/webhook.js'
import { appWith } from '../support/helpers.js'
import { instantSleep } from '../support/notify.js'
import { echoed, sentinel, tellsIn } from '../support/secrets.js'
import type { CheckDefinition } from '../../src/checks/types.js'

// Through the app: the runner's damped changes become webhook deliveries, and nothing waits for them.

const PATH = '/hooks/end-to-end-0123456789abcdef'

// A check whose probe fails while `down` says so, its output saying `says`.
function switchable(name: string, extra: Partial<CheckDefinition> = {}) {
  const state = { down: false, says: `connection refused for ${name}` }
  const made = synthetic(
    name,
    async () => {
      if (state.down) throw new CheckError(Reason.REFUSED, state.says)
      return {}
    },
    { cacheTtlMs: 1000, ...extra },
  )
  return { ...made, state }
}

async function answering(t: Test, handler: () => 'hang' | void = () => undefined): Promise<Receiver> {
  const r = await startReceiver((_req, res) => (handler() === 'hang' ? 'hang' : json(res, 200, { ok: true })))
  t.teardown(() => r.close())
  return r
}

async function appNotifying(t: Test, urls: string[], env: Record<string, string>, checks: CheckDefinition[]) {
  const clock = new ManualClock()
  const { app, logs } = await appWith(
    { HEALTH_NOTIFY_URLS: urls.join(','), ...env },
    { checks, clock, notify: { sleep: instantSleep().sleep } },
  )
  t.teardown(() => app.close())
  const probe = async (name: string) => {
    clock.advance(1000)
    return one(app.health.runner, name, { fresh: true })
  }
  return { app, logs, clock, probe }
}

t.test(
  'with HEALTH_FAIL_AFTER=3 and HEALTH_RECOVER_AFTER=2: one delivery after the 3rd failure, one after the 2nd pass',
  async (t) => {
    const r = await answering(t)
    const c = switchable('db')
    const { app, probe } = await appNotifying(
      t,
      [`${r.url}${PATH}`],
      { HEALTH_FAIL_AFTER: '3', HEALTH_RECOVER_AFTER: '2', HEALTH_PUBLIC_URL: 'https://health.example.com' },
      [c.def],
    )
    const notifier = app.health.notifier
    await one(app.health.runner, 'db')
    t.equal(notifier.queued, 0, 'the first result passes: nothing to tell')
    c.state.down = true
    const firstFailure = await probe('db')
    t.equal(notifier.queued, 0, '1st failing probe: held back')
    await probe('db')
    t.equal(notifier.queued, 0, '2nd: still held back')
    const failed = await probe('db')
    t.equal(failed.status, 'fail')
    const [down] = await r.received(1)
    t.ok(await eventually(() => notifier.counts.delivered === 1, 10_000))
    t.same(JSON.parse(down.body), {
      version: 1,
      type: 'check.status_changed',
      serviceId: 'huntaze-health',
      check: 'db',
      tier: 'critical',
      from: 'pass',
      to: 'fail',
      reason: 'REFUSED',
      output: 'connection refused for db',
      since: new Date(firstFailure.observedAt).toISOString(),
      at: new Date(failed.observedAt).toISOString(),
      link: 'https://health.example.com/health/db',
    })
    c.state.down = false
    await probe('db')
    t.equal(notifier.queued, 0, '1st passing probe: held back')
    const recovered = await probe('db')
    t.equal(recovered.status, 'pass')
    const [, up] = await r.received(2)
    t.match(JSON.parse(up.body), { check: 'db', from: 'fail', to: 'pass', reason: null, output: null })
    t.ok(await eventually(() => notifier.counts.delivered === 2, 10_000))
    t.equal(notifier.queued, 0)
    t.equal(r.requests.length, 2, 'exactly two deliveries')
  },
)

t.test('a flapping dependency (pass, fail, pass...) under damping sends nothing', async (t) => {
  const r = await answering(t)
  const c = switchable('flappy')
  const { app, probe } = await appNotifying(
    t,
    [`${r.url}${PATH}`],
    { HEALTH_FAIL_AFTER: '3', HEALTH_RECOVER_AFTER: '2' },
    [c.def],
  )
  await one(app.health.runner, 'flappy')
  const queued: number[] = []
  for (let i = 0; i < 20; i++) {
    c.state.down = !c.state.down
    const res = await probe('flappy')
    t.equal(res.status, 'pass')
    queued.push(app.health.notifier.queued)
  }
  t.same([...new Set(queued)], [0], 'the listener never queued a thing')
  await app.close()
  t.equal(r.requests.length, 0)
  t.same(app.health.notifier.counts, { delivered: 0, failed: 0, retried: 0, dropped: 0 })
})

t.test('a restart tells the checks that fail, not the ones that pass', async (t) => {
  const r = await answering(t)
  const up = switchable('up')
  const down = switchable('down', { tier: 'important' })
  down.state.down = true
  const { app } = await appNotifying(t, [`${r.url}${PATH}`], {}, [up.def, down.def])
  await app.health.runner.collect(['up', 'down'])
  const [only] = await r.received(1)
  t.match(JSON.parse(only.body), { check: 'down', tier: 'important', from: null, to: 'fail', reason: 'REFUSED' })
  t.ok(await eventually(() => app.health.notifier.counts.delivered === 1, 10_000))
  t.equal(app.health.notifier.queued, 0, 'nothing else to send')
  t.equal(r.requests.length, 1)
})

t.test('a receiver that hangs blocks no probe and no request; close() leaves no socket', async (t) => {
  const r = await answering(t, () => 'hang')
  const c = switchable('db')
  c.state.down = true
  const { app, probe } = await appNotifying(t, [`${r.url}${PATH}`], { HEALTH_NOTIFY_TIMEOUT_MS: '60000' }, [c.def])
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 503, '/ready answered at once, with the failure')
  await r.received(1)
  t.equal(app.health.notifier.queued, 1, 'the delivery hangs')
  t.equal((await app.inject('/ready?fresh')).statusCode, 503, '/ready answers while it hangs')
  t.equal((await app.inject('/health/db')).statusCode, 503)
  c.state.down = false
  t.equal((await probe('db')).status, 'pass', 'probes go on')
  t.equal((await app.inject('/ready')).statusCode, 200)
  t.equal(app.health.notifier.queued, 2, 'the recovery waits behind the hung delivery')
  const started = performance.now()
  await app.close()
  t.ok(performance.now() - started < 5000, 'close does not wait for the receiver')
  t.same(app.health.notifier.counts, { delivered: 0, failed: 0, retried: 0, dropped: 2 })
  t.ok(await eventually(() => clientSockets(r.port) === 0, 5000), 'no client socket left')
  await r.allSocketsClosed()
})

t.test('no secret in a body or a log line: a check that echoes a secret, and the webhook URL itself', async (t) => {
  const r = await answering(t)
  // mixed case and digits: a run of one case alone is not recognised as part of a secret (README, Secrets)
  const mixed = 'abcdefghkmnpqrstuvwxyzABCDEFGHKMNPQRSTUVWXYZ23456789'
  const jwt = echoed(sentinel('', 40, mixed).value, 'JWT_SECRET')
  const hookToken = sentinel('', 32, mixed)
  const urls = [`${r.url}/hooks/${hookToken.value}`, `slack+${r.url}/services/${hookToken.value}`]
  const c = switchable('auth-like')
  c.state.down = true
  c.state.says = `the provider rejected ${jwt.value} (key ${jwt.value.slice(0, 12)}...)`
  const { app, logs } = await appNotifying(t, urls, { JWT_SECRET: jwt.value }, [c.def])
  await one(app.health.runner, 'auth-like')
  const got = await r.received(2)
  t.ok(await eventually(() => app.health.notifier.counts.delivered === 2, 10_000))
  const bodies = got.map((q) => q.body).join('\n')
  t.match(JSON.parse(got[0].body).output, '[redacted]', 'the output arrives scrubbed')
  t.match(JSON.parse(got[1].body).text, '[redacted]', "in Slack's body too")
  t.same(tellsIn([jwt, echoed(hookToken.value)], bodies), [], 'no part of the secret in a body')
  await app.close()
  t.same(tellsIn([jwt, echoed(hookToken.value)], logs.text()), [], 'nor in a log line')
  t.notMatch(logs.text(), '/hooks/')
  t.notMatch(logs.text(), '/services/')
})

t.test('a closing service pages nobody: the results of a closing runner (SHUTTING_DOWN) are not told', async (t) => {
  const r = await answering(t)
  const other = switchable('other')
  const gate = deferred<Observation>()
  const slow = synthetic('slow', () => gate.promise)
  const { app, clock } = await appNotifying(t, [`${r.url}${PATH}`], {}, [other.def, slow.def])
  await one(app.health.runner, 'other')
  const inflight = app.health.runner.get('slow')
  // the runner's close waits for the probe in flight: meanwhile every new probe answers SHUTTING_DOWN
  const closed = app.close()
  let late = await one(app.health.runner, 'other')
  for (let i = 0; i < 200 && late.reason !== 'SHUTTING_DOWN'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    clock.advance(1000)
    late = await one(app.health.runner, 'other', { fresh: true })
  }
  t.same([late.status, late.reason], ['fail', 'SHUTTING_DOWN'], 'a probe while the runner closes')
  t.equal(app.health.notifier.queued, 0, 'nothing queued for it')
  gate.resolve({})
  await Promise.all([inflight, closed])
  t.equal(r.requests.length, 0)
})

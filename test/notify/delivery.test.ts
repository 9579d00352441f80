import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { json } from '../support/fakes/http.js'
import { clientSockets, eventually } from '../support/fakes/sockets.js'
import { startReceiver, type Receiver } from '../support/fakes/webhook.js'
import { logLines } from '../support/engine.js'
import { change, instantSleep, notifierFor } from '../support/notify.js'

// Deliveries to loopback receivers: what is sent, what is retried and after how long, what is given up.

const TOKEN_PATH = '/hooks/T0001/B0002/4fJk2LmNpQrStUvWxYz0123a'

async function receiver(t: Test, answers: number[] | 'hang', headers = {}) {
  let n = 0
  const r = await startReceiver((_req, res) => {
    if (answers === 'hang') return 'hang'
    const status = answers[Math.min(n++, answers.length - 1)]
    json(res, status, { ok: status < 300 }, headers)
  })
  t.teardown(() => r.close())
  return r
}

const hook = (r: Receiver, prefix = '') => `${prefix}${r.url}${TOKEN_PATH}`

t.test('a receiver that answers 200 gets one POST of the JSON event per change, in order', async (t) => {
  const r = await receiver(t, [200])
  const { notifier } = notifierFor(t, [hook(r)], { HEALTH_SERVICE_ID: 'health-eu-1' })
  notifier.notify(change('postgres', 'pass', 'fail', { reason: 'REFUSED', output: 'connection refused' }))
  notifier.notify(change('redis', 'fail', 'pass', { tier: 'optional' }))
  t.equal(notifier.queued, 2, 'both wait the moment they are told')
  const [first, second] = await r.received(2)
  t.equal(first.method, 'POST')
  t.equal(first.url, TOKEN_PATH)
  t.equal(first.headers['content-type'], 'application/json')
  t.equal(first.headers['user-agent'], 'huntaze-health')
  t.same(JSON.parse(first.body), {
    version: 1,
    type: 'check.status_changed',
    serviceId: 'health-eu-1',
    check: 'postgres',
    tier: 'critical',
    from: 'pass',
    to: 'fail',
    reason: 'REFUSED',
    output: 'connection refused',
    since: '2025-01-15T12:00:00.000Z',
    at: '2025-01-15T12:00:00.000Z',
    link: '/health/postgres',
  })
  t.same(JSON.parse(second.body).check, 'redis')
  t.ok(await eventually(() => notifier.counts.delivered === 2, 10_000), 'both counted delivered')
  t.same(notifier.counts, { delivered: 2, failed: 0, retried: 0, dropped: 0 })
  t.equal(notifier.queued, 0)
  t.equal(r.requests.length, 2, 'one delivery per change')
})

t.test("HEALTH_DETAILS=never keeps the output out of every body, Slack's too", async (t) => {
  const r = await receiver(t, [200])
  const { notifier } = notifierFor(t, [hook(r), hook(r, 'slack+')], { HEALTH_DETAILS: 'never' })
  notifier.notify(change('redis', 'pass', 'fail', { reason: 'REFUSED', output: 'connection refused 10.0.4.17:6379' }))
  const got = await r.received(2)
  t.match(JSON.parse(got.find((q) => !q.body.includes('"text"'))!.body), { reason: 'REFUSED', output: null })
  t.notMatch(got.map((q) => q.body).join('\n'), /10\.0\.4\.17/, 'no host in either body')
})

t.test('500, 500, 500 then 200: retried after 1 s, 2 s and 4 s, then delivered', async (t) => {
  const r = await receiver(t, [500, 500, 500, 200])
  const { sleep, waits } = instantSleep()
  const { notifier } = notifierFor(t, [hook(r)], { HEALTH_NOTIFY_RETRIES: '3' }, sleep)
  notifier.notify(change('s3', 'pass', 'fail'))
  const requests = await r.received(4)
  t.ok(await eventually(() => notifier.counts.delivered === 1, 10_000))
  t.same(waits, [1000, 2000, 4000])
  t.same(notifier.counts, { delivered: 1, failed: 0, retried: 3, dropped: 0 })
  t.same([...new Set(requests.map((q) => q.body))].length, 1, 'every attempt sends the same event')
})

t.test(
  'a receiver that keeps failing is tried HEALTH_NOTIFY_RETRIES more times, then given up with one line',
  async (t) => {
    const r = await receiver(t, [503])
    const { sleep, waits } = instantSleep()
    const { notifier, logs } = notifierFor(t, [hook(r)], { HEALTH_NOTIFY_RETRIES: '2' }, sleep)
    notifier.notify(change('sqs', 'pass', 'fail'))
    await r.received(3)
    t.ok(await eventually(() => notifier.counts.failed === 1, 10_000))
    t.same(notifier.counts, { delivered: 0, failed: 1, retried: 2, dropped: 0 })
    t.same(waits, [1000, 2000])
    const warned = logLines(logs).filter((l) => l.level === 40)
    t.same(
      warned.map((l) => l.msg),
      ['webhook 1 of 1: notification not delivered: answered 503, 3 attempts'],
    )
    t.same([warned[0].check, warned[0].from, warned[0].to], ['sqs', 'pass', 'fail'])
    t.equal(r.requests.length, 3, 'nothing more')
  },
)

t.test('a 400 is not retried, and the next change is still delivered', async (t) => {
  const r = await receiver(t, [400, 200])
  const { sleep, waits } = instantSleep()
  const { notifier, logs } = notifierFor(t, [hook(r)], {}, sleep)
  notifier.notify(change('ses', 'pass', 'fail'))
  notifier.notify(change('s3', 'pass', 'fail'))
  const [a, b] = await r.received(2)
  t.same([JSON.parse(a.body).check, JSON.parse(b.body).check], ['ses', 's3'])
  t.ok(await eventually(() => notifier.counts.delivered === 1, 10_000))
  t.same(notifier.counts, { delivered: 1, failed: 1, retried: 0, dropped: 0 })
  t.same(waits, [])
  t.match(logs.text(), 'webhook 1 of 1: notification not delivered: answered 400, not retried')
})

t.test('408 and 429 are retried; a Retry-After is honoured, up to a minute', async (t) => {
  for (const [status, header, wait] of [
    [429, '7', 7000],
    [503, '3600', 60_000],
    [429, '0', 1000],
    [408, undefined, 1000],
  ] as const) {
    const r = await receiver(t, [status, 200], header === undefined ? {} : { 'retry-after': header })
    const { sleep, waits } = instantSleep()
    const { notifier } = notifierFor(t, [hook(r)], {}, sleep)
    notifier.notify(change('stripe', 'pass', 'fail'))
    await r.received(2)
    t.ok(await eventually(() => notifier.counts.delivered === 1, 10_000))
    t.same(waits, [wait], `${status} with Retry-After ${header}: waits ${wait} ms`)
  }
})

t.test('a refused connection is retried, and named by its code', async (t) => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  const { sleep, waits } = instantSleep()
  const { notifier, logs } = notifierFor(
    t,
    [`http://127.0.0.1:${port}${TOKEN_PATH}`],
    { HEALTH_NOTIFY_RETRIES: '1' },
    sleep,
  )
  notifier.notify(change('redis', 'pass', 'fail'))
  t.ok(await eventually(() => notifier.counts.failed === 1, 10_000))
  t.same(waits, [1000])
  t.same(notifier.counts, { delivered: 0, failed: 1, retried: 1, dropped: 0 })
  t.match(logs.text(), 'notification not delivered: the request failed (ECONNREFUSED), 2 attempts')
})

t.test('a receiver that hangs: the POST times out, is retried, and leaves no socket open', async (t) => {
  const r = await receiver(t, 'hang')
  const { sleep, waits } = instantSleep()
  const { notifier, logs } = notifierFor(
    t,
    [hook(r)],
    { HEALTH_NOTIFY_TIMEOUT_MS: '300', HEALTH_NOTIFY_RETRIES: '1' },
    sleep,
  )
  notifier.notify(change('openai', 'pass', 'fail'))
  await r.received(2)
  t.ok(await eventually(() => notifier.counts.failed === 1, 10_000))
  t.same(waits, [1000])
  t.same(notifier.counts, { delivered: 0, failed: 1, retried: 1, dropped: 0 })
  t.match(logs.text(), 'notification not delivered: no answer within 300 ms, 2 attempts')
  t.ok(await eventually(() => clientSockets(r.port) === 0, 5000), 'each timed-out request closed its connection')
  await r.allSocketsClosed()
})

t.test("a slack+ URL gets Slack's { text } body at any host", async (t) => {
  const r = await receiver(t, [200])
  const { notifier } = notifierFor(t, [hook(r, 'slack+')], { HEALTH_PUBLIC_URL: 'https://health.example.com' })
  notifier.notify(change('redis', 'pass', 'fail', { tier: 'optional', reason: 'REFUSED', output: 'refused <here>' }))
  const [req] = await r.received(1)
  t.equal(req.url, TOKEN_PATH)
  t.equal(req.headers['content-type'], 'application/json')
  t.same(JSON.parse(req.body), {
    text:
      ':red_circle: huntaze-health: *redis* (optional) is fail (was pass) since 2025-01-15T12:00:00.000Z: ' +
      'REFUSED refused &lt;here&gt; <https://health.example.com/health/redis|details>',
  })
})

t.test('each webhook has its own queue: one that hangs does not hold back another', async (t) => {
  const hung = await receiver(t, 'hang')
  const ok = await receiver(t, [200])
  const { notifier } = notifierFor(t, [hook(hung), hook(ok)])
  notifier.notify(change('a', 'pass', 'fail'))
  notifier.notify(change('b', 'pass', 'fail'))
  const got = await ok.received(2)
  t.same(
    got.map((q) => JSON.parse(q.body).check),
    ['a', 'b'],
  )
  t.equal(hung.requests.length, 1, 'the hung one got its first only')
  t.ok(await eventually(() => notifier.counts.delivered === 2, 10_000), 'the other has delivered both')
  t.equal(notifier.queued, 2, 'while the hung one has its first in flight and the second waiting')
})

t.test('the webhook URL never reaches a log line: webhooks are named by position', async (t) => {
  const failing = await receiver(t, [500])
  const ok = await receiver(t, [200])
  const { notifier, logs } = notifierFor(t, [hook(ok), hook(failing, 'slack+')], { HEALTH_NOTIFY_RETRIES: '1' })
  notifier.notify(change('postgres', 'pass', 'fail'))
  t.ok(await eventually(() => notifier.counts.failed === 1 && notifier.counts.delivered === 1, 10_000))
  await notifier.close()
  const text = logs.text()
  t.match(text, 'webhook 2 of 2 (Slack): notification not delivered: answered 500, 2 attempts')
  t.match(text, 'webhook 1 of 2: notification delivered')
  for (const leak of [TOKEN_PATH, TOKEN_PATH.slice(1), 'T0001', String(ok.port), String(failing.port), '127.0.0.1'])
    t.notMatch(text, leak, `no ${leak}`)
  t.notMatch(text, '[redacted]', 'nothing was even tried: the scrubber had nothing to take out')
})

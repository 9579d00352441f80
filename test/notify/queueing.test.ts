import t, { type Test } from 'tap'
import { QUEUE_LIMIT } from '../../src/notify/queue.js'
import { deferred, logLines } from '../support/engine.js'
import { json } from '../support/fakes/http.js'
import { clientSockets, eventually } from '../support/fakes/sockets.js'
import { startReceiver } from '../support/fakes/webhook.js'
import { change, notifierFor } from '../support/notify.js'

// What waits for a webhook: coalescing, the bound, and what close() does with it.

const PATH = '/hooks/queueing-0123456789abcdef'

// A receiver that holds its first request until `release`, then answers 200 to every one.
async function slowReceiver(t: Test) {
  const gate = deferred<void>()
  let n = 0
  const r = await startReceiver(async (_req, res) => {
    if (n++ === 0) await gate.promise
    json(res, 200, { ok: true })
  })
  t.teardown(() => r.close())
  return { r, release: () => gate.resolve(), url: `${r.url}${PATH}` }
}

const told = (bodies: { body: string }[]) =>
  bodies.map((b) => {
    const e = JSON.parse(b.body)
    return `${e.check}:${e.from}->${e.to}:${e.reason}`
  })

t.test('changes of a check that wait are coalesced; what cancels out is never sent', async (t) => {
  const { r, release, url } = await slowReceiver(t)
  const { notifier } = notifierFor(t, [url])
  notifier.notify(change('y', 'pass', 'fail', { reason: 'REFUSED' }))
  await r.received(1)
  notifier.notify(change('x', 'pass', 'fail', { reason: 'REFUSED' }))
  notifier.notify(change('x', 'fail', 'warn', { reason: 'DEGRADED' }))
  notifier.notify(change('z', 'pass', 'fail'))
  notifier.notify(change('z', 'fail', 'pass'))
  notifier.notify(change('y', 'fail', 'pass'))
  t.equal(notifier.queued, 3, 'y in flight, x once, y again behind it; z is gone')
  release()
  const got = await r.received(3)
  t.ok(await eventually(() => notifier.counts.delivered === 3, 10_000))
  t.same(told(got), ['y:pass->fail:REFUSED', 'x:pass->warn:DEGRADED', 'y:fail->pass:null'])
  t.same(
    notifier.counts,
    { delivered: 3, failed: 0, retried: 0, dropped: 0 },
    'coalescing drops nothing anybody missed',
  )
  t.equal(r.requests.length, 3)
})

t.test(`past ${QUEUE_LIMIT} waiting, new changes are dropped: counted, and logged once`, async (t) => {
  const { r, release, url } = await slowReceiver(t)
  const { notifier, logs } = notifierFor(t, [url])
  notifier.notify(change('head', 'pass', 'fail'))
  await r.received(1)
  for (let i = 0; i < QUEUE_LIMIT + 5; i++) notifier.notify(change(`c${i}`, 'pass', 'fail'))
  t.equal(notifier.queued, QUEUE_LIMIT + 1, 'the one in flight and a full queue')
  t.equal(notifier.counts.dropped, 5)
  const full = (l: Record<string, unknown>) => String(l.msg).includes('new ones are dropped')
  t.equal(logLines(logs).filter(full).length, 1, 'one warning for five drops')
  t.match(logLines(logs).find(full), { level: 40, webhook: 'webhook 1 of 1', limit: QUEUE_LIMIT })
  release()
  await r.received(QUEUE_LIMIT + 1)
  t.ok(await eventually(() => notifier.queued === 0, 10_000), 'the queue drains')
  notifier.notify(change('after', 'pass', 'fail'))
  t.match(logLines(logs).at(-1), {
    level: 30,
    msg: 'webhook 1 of 1: the queue has room again; 5 notifications were dropped while it was full',
  })
  await r.received(QUEUE_LIMIT + 2)
  t.same(
    JSON.parse(r.requests.at(-1)!.body).check,
    'after',
    'the changes that found room are delivered, the dropped ones never',
  )
  t.notOk(
    r.requests.some((q) => /"c10[0-4]"/.test(q.body)),
    'none of the dropped',
  )
})

t.test('close() aborts the delivery in flight, gives up what waits, and leaves no socket', async (t) => {
  const r = await startReceiver(() => 'hang')
  t.teardown(() => r.close())
  const { notifier, logs } = notifierFor(t, [`${r.url}${PATH}`])
  for (const name of ['a', 'b', 'c']) notifier.notify(change(name, 'pass', 'fail'))
  await r.received(1)
  t.equal(clientSockets(r.port), 1, 'the POST holds its connection')
  await notifier.close()
  t.same(notifier.counts, { delivered: 0, failed: 0, retried: 0, dropped: 3 })
  t.equal(notifier.queued, 0)
  t.match(logs.text(), '3 notifications not sent: the service is shutting down')
  t.ok(await eventually(() => clientSockets(r.port) === 0, 5000), 'no client socket left')
  await r.allSocketsClosed()
  notifier.notify(change('late', 'pass', 'fail'))
  t.equal(notifier.queued, 0, 'a closed notifier takes nothing more')
  t.equal(r.requests.length, 1)
})

t.test('close() during a wait between retries ends the wait at once', async (t) => {
  const r = await startReceiver((_req, res) => json(res, 500, {}))
  t.teardown(() => r.close())
  // the real waits: the first retry would come after 1 s
  const { notifier, logs } = notifierFor(t, [`${r.url}${PATH}`], {}, null)
  notifier.notify(change('a', 'pass', 'fail'))
  await r.received(1)
  t.ok(await eventually(() => logs.text().includes('trying again'), 5000), 'it waits to retry')
  const started = performance.now()
  await notifier.close()
  const took = performance.now() - started
  t.ok(took < 900, `closed in ${Math.round(took)} ms, not after the wait`)
  t.same(notifier.counts, { delivered: 0, failed: 0, retried: 0, dropped: 1 })
  t.equal(r.requests.length, 1, 'no retry after close')
})

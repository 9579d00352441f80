import t from 'tap'
import { notifies, PendingChanges, QUEUE_LIMIT } from '../../src/notify/queue.js'
import { change } from '../support/notify.js'

t.test('which changes notify: every change, and of the first results since start only a failure', async (t) => {
  t.ok(notifies(change('a', 'pass', 'fail')))
  t.ok(notifies(change('a', 'fail', 'pass')))
  t.ok(notifies(change('a', 'pass', 'warn')))
  t.ok(notifies(change('a', null, 'fail')), 'a restart into an outage tells it')
  t.notOk(notifies(change('a', null, 'pass')), 'a restart does not page for passing checks')
  t.notOk(notifies(change('a', null, 'warn')))
  t.notOk(notifies(change('a', null, 'skipped')), 'nor for skipped ones')
})

t.test('a change of a check that waits already replaces it in place, keeping its from', async (t) => {
  const q = new PendingChanges()
  t.equal(q.push(change('x', 'pass', 'fail', { reason: 'REFUSED' })), 'queued')
  t.equal(q.push(change('y', 'pass', 'fail')), 'queued')
  t.equal(q.push(change('x', 'fail', 'warn', { reason: 'DEGRADED', at: 2 })), 'coalesced')
  t.equal(q.size, 2)
  t.same(q.shift(), change('x', 'pass', 'warn', { reason: 'DEGRADED', at: 2 }), 'first in line still, with the news')
  t.same(q.shift(), change('y', 'pass', 'fail'))
  t.equal(q.shift(), undefined)
})

t.test('changes that cancel out leave nothing to tell', async (t) => {
  const q = new PendingChanges()
  q.push(change('x', 'pass', 'fail'))
  t.equal(q.push(change('x', 'fail', 'pass')), 'moot')
  t.equal(q.size, 0)
  q.push(change('first', null, 'fail'))
  t.equal(q.push(change('first', 'fail', 'pass')), 'moot', 'a first failure gone before it was told')
  t.equal(q.size, 0)
})

t.test('once out of the queue, a change is not coalesced into: the next one waits behind it', async (t) => {
  const q = new PendingChanges()
  q.push(change('x', 'pass', 'fail'))
  t.same(q.shift(), change('x', 'pass', 'fail'))
  t.equal(q.push(change('x', 'fail', 'pass')), 'queued')
  t.same(q.shift(), change('x', 'fail', 'pass'))
})

t.test(
  `the queue holds ${QUEUE_LIMIT} checks; past that a new check is refused, a waiting one still coalesces`,
  async (t) => {
    const q = new PendingChanges()
    const pushed = Array.from({ length: QUEUE_LIMIT }, (_, i) => q.push(change(`c${i}`, 'pass', 'fail')))
    t.same([...new Set(pushed)], ['queued'])
    t.equal(q.push(change('late', 'pass', 'fail')), 'full')
    t.equal(q.push(change('c7', 'fail', 'warn')), 'coalesced')
    t.equal(q.size, QUEUE_LIMIT)
    t.equal(q.clear(), QUEUE_LIMIT)
    t.equal(q.size, 0)
  },
)

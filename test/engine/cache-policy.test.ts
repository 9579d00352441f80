import t from 'tap'
import { decide, holdsUntil, type CachedState } from '../../src/engine/cache-policy.js'

const rules = { minProbeIntervalMs: 1000, maxStaleMs: 5000 }
const at = (observedAt: number, expiresAt: number, extra: Partial<CachedState> = {}): CachedState => ({
  result: { observedAt, expiresAt },
  notBefore: 0,
  refreshing: false,
  ...extra,
})

t.test('no result: probe', async (t) => {
  t.same(decide({ notBefore: 0, refreshing: false }, 0, rules), { answer: 'probe' })
  t.equal(holdsUntil({ notBefore: 0, refreshing: false }, 7, rules), 7)
})

t.test('within the lifetime: the cached result, until it expires', async (t) => {
  t.same(decide(at(0, 100), 50, rules), { answer: 'cached', until: 100 })
  t.equal(holdsUntil(at(0, 100), 50, rules), 100)
})

t.test(
  'past the lifetime, within the stale window: the stale result; it holds only while a refresh runs',
  async (t) => {
    t.same(decide(at(0, 100), 100, rules), { answer: 'stale', until: 5101 })
    t.equal(holdsUntil(at(0, 100), 200, rules), 200, 'no refresh yet: the next request starts one')
    t.equal(holdsUntil(at(0, 100, { refreshing: true }), 200, rules), 5101)
    t.same(
      decide(at(0, 100), 5100, rules),
      { answer: 'stale', until: 5101 },
      'the window includes its last millisecond',
    )
    t.same(decide(at(0, 100), 5101, rules), { answer: 'probe' }, 'too old to serve')
  },
)

t.test('a Retry-After wait keeps the cached answer past its expiry and blocks fresh probes', async (t) => {
  const waiting = at(0, 100, { notBefore: 3000 })
  t.same(decide(waiting, 2000, rules), { answer: 'cached', until: 3000 })
  t.same(decide(waiting, 2000, rules, true), { answer: 'cached', until: 3000 }, 'fresh does not override the wait')
  t.same(decide(waiting, 3000, rules, true), { answer: 'probe' })
})

t.test('fresh: a probe, but never sooner than the minimum interval after the last one', async (t) => {
  t.same(decide(at(0, 10_000), 999, rules, true), { answer: 'cached', until: 10_000 })
  t.same(decide(at(0, 10_000), 1000, rules, true), { answer: 'probe' })
})

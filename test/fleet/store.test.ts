import t from 'tap'
import { FleetStore } from '../../src/fleet/store.js'
import { freePort } from '../support/fakes/tcp.js'
import { startRedis, stopRedis } from '../support/redis-server.js'

// The fleet's primitives on a redis-server of the test's own: one lease holder at a time, released only by it; a
// result published with its lifetime and read with the server's remaining time; an older probe never replaces a
// newer one; one claim per event; and a Redis that does not answer fails a call within the budget.

const BUDGET_MS = 250
const port = await freePort()
const server = await startRedis(port)
t.teardown(() => stopRedis(server))
// the lease alone: take() with nothing published under these keys, as a replica with no result asks
type Store = FleetStore & { lease(check: string, token: string, ms: number): Promise<number | undefined> }
const store = (prefix = 'test:'): Store => {
  const s = new FleetStore({ url: `redis://127.0.0.1:${port}`, prefix, budgetMs: BUDGET_MS })
  t.teardown(() => s.close())
  return Object.assign(s, {
    lease: async (check: string, token: string, ms: number) => {
      const took = await s.take(check, -1, 0, token, ms)
      return took !== 'held' && 'lease' in took ? took.lease : undefined
    },
  })
}

t.test('one lease holder at a time, released only by the holder', async (t) => {
  const [a, b] = [store(), store()]
  const taken = await a.lease('stripe', 'token-a', 5000)
  t.type(taken, 'number', "the server's time when taken")
  t.equal(await b.lease('stripe', 'token-b', 5000), undefined, 'held: the second replica does not get it')
  await b.release('stripe', 'token-b')
  t.equal(await b.lease('stripe', 'token-b', 5000), undefined, 'a release by another token does nothing')
  await a.release('stripe', 'token-a')
  const next = await b.lease('stripe', 'token-b', 5000)
  t.ok(next! > taken!, 'free once its holder released it, at a later server time')
})

t.test('a lease lapses by itself: a holder that died does not hold the check', async (t) => {
  const [a, b] = [store(), store()]
  await a.lease('openai', 'dead', 100)
  const deadline = Date.now() + 5000
  let got: number | undefined
  while (got === undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25))
    got = await b.lease('openai', 'alive', 5000)
  }
  t.type(got, 'number', 'taken after the lease time')
})

t.test("published results: read with the server's remaining time; an older probe never replaces a newer", async (t) => {
  const [a, b] = [store(), store()]
  t.equal(await b.read('github'), undefined, 'nothing published yet')
  t.ok(await a.publish('github', 2000, '{"n":2}', 60_000), 'published')
  const read = await b.read('github')
  t.equal(read?.json, '{"n":2}')
  t.equal(read?.epoch, 2000)
  t.ok(read!.remainingMs > 55_000 && read!.remainingMs <= 60_000, `holds ${read?.remainingMs} ms more`)
  t.notOk(await b.publish('github', 1000, '{"n":1}', 60_000), 'a probe that began earlier is refused')
  t.notOk(await b.publish('github', 2000, '{"n":"same"}', 60_000), 'and one that began at the same time')
  t.equal((await a.read('github'))?.json, '{"n":2}', 'the newer stays')
  t.ok(await b.publish('github', 3000, '{"n":3}', 50), 'a later one replaces it')
  const deadline = Date.now() + 5000
  while ((await a.read('github')) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  t.equal(await a.read('github'), undefined, 'gone once its lifetime is over')
})

t.test('one claim per event, fleet-wide', async (t) => {
  const [a, b, c] = [store(), store(), store()]
  const claims = await Promise.all([a, b, c].map((s, i) => s.claim('stripe:pass:fail:1', `replica-${i}`, 60_000)))
  t.same(claims.filter(Boolean).length, 1, 'exactly one replica gets it')
  t.ok(await a.claim('stripe:fail:pass:2', 'replica-0', 60_000), 'the next event is a new claim')
})

t.test('fleets with other prefixes share nothing', async (t) => {
  const [staging, production] = [store('staging:'), store('production:')]
  await staging.lease('sqs', 'x', 5000)
  t.type(await production.lease('sqs', 'y', 5000), 'number')
})

t.test('a Redis that answers nothing fails a call within the budget, and is marked unavailable', async (t) => {
  const p = await freePort()
  const paused = await startRedis(p)
  t.teardown(() => stopRedis(paused))
  const changes: boolean[] = []
  const s = new FleetStore({
    url: `redis://127.0.0.1:${p}`,
    prefix: 'test:',
    budgetMs: BUDGET_MS,
    onAvailability: (up) => changes.push(up),
  })
  t.teardown(() => s.close())
  t.equal(await s.read('x'), undefined, 'answers while it runs')
  paused.kill('SIGSTOP')
  t.teardown(() => paused.kill('SIGCONT'))
  const started = performance.now()
  await t.rejects(s.read('x'))
  const ms = performance.now() - started
  t.ok(ms < BUDGET_MS + 1500, `failed in ${Math.round(ms)} ms`)
  t.notOk(s.isAvailable)
  paused.kill('SIGCONT')
  const deadline = Date.now() + 10_000
  let back = false
  while (!back && Date.now() < deadline) {
    back = await s.read('x').then(
      () => true,
      () => false,
    )
    if (!back) await new Promise((r) => setTimeout(r, 50))
  }
  t.ok(back, 'answers again after it resumes')
  t.same(changes, [false, true], 'told once down, once back')
})

t.test('take: a newer result that holds longer than the lead, else the lease, else held, in one step', async (t) => {
  const [a, b] = [store('take:'), store('take:')]
  const first = await a.take('stripe', -1, 200, 'a', 5000)
  t.ok(first !== 'held' && 'lease' in first, 'nothing published: the lease')
  t.equal(await b.take('stripe', -1, 200, 'b', 5000), 'held', 'while a holds it')
  const epoch = first !== 'held' && 'lease' in first ? first.lease : 0
  await a.publish('stripe', epoch, '{"by":"a"}', 10_000)
  await a.release('stripe', 'a')
  const shared = await b.take('stripe', -1, 200, 'b', 5000)
  t.ok(
    shared !== 'held' && 'shared' in shared && shared.shared.json === '{"by":"a"}',
    'published: the result, no lease',
  )
  const again = await b.take('stripe', epoch, 200, 'b', 5000)
  t.ok(again !== 'held' && 'lease' in again, 'a result it already has is not newer: the lease, to refresh it')
  await b.release('stripe', 'b')
  const near = await a.take('stripe', -1, 20_000, 'a', 5000)
  t.ok(near !== 'held' && 'lease' in near, 'a result about to lapse (within the lead) is refreshed, not taken')
})

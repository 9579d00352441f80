import t from 'tap'
import { RenderCache } from '../../src/routes/render-cache.js'

const json = { view: 'json', disclosure: 'full' } as const
const text = { view: 'text', disclosure: 'full' } as const

const bytes = (version: number, code = 200) => ({ version, code, type: 'application/health+json', body: `v${version}` })

t.test('a hit needs the same version, an unexpired answer and, when asked, the same code', async (t) => {
  const cache = new RenderCache()
  cache.store('ready', json, bytes(1), 0, 5000)
  t.equal(cache.lookup('ready', json, 1, 4999)?.body, 'v1')
  t.equal(cache.lookup('ready', json, 2, 10), undefined, 'a new result')
  t.equal(cache.lookup('ready', json, 1, 5000), undefined, 'expired')
  t.equal(cache.lookup('ready', json, 1, 10, 503), undefined, 'another code')
  t.equal(cache.lookup('ready', text, 1, 10), undefined, 'the views are apart')
})

t.test('what an anonymous caller is answered is never the bytes rendered for an authorized one', async (t) => {
  const cache = new RenderCache()
  cache.store('health', json, bytes(1), 0, 5000)
  t.equal(cache.lookup('health', { view: 'json', disclosure: 'withheld' }, 1, 10), undefined)
  cache.store('health', { view: 'json', disclosure: 'withheld' }, { ...bytes(1), body: 'withheld' }, 0, 5000)
  t.equal(cache.lookup('health', json, 1, 10)?.body, 'v1', 'and storing one leaves the other')
  t.equal(cache.lookup('health', { view: 'json', disclosure: 'withheld' }, 1, 10)?.body, 'withheld')
})

t.test('the text view is kept at most until the end of the second it was rendered in', async (t) => {
  const cache = new RenderCache()
  t.equal(cache.store('health', text, bytes(1), 12_345, 60_000).validUntil, 13_000)
  t.equal(
    cache.store('health', text, bytes(1), 12_345, 12_500).validUntil,
    12_500,
    'or sooner, when the results expire',
  )
  t.equal(cache.store('health', json, bytes(1), 12_345, 60_000).validUntil, 60_000)
})

t.test('bounded: past its capacity the oldest answer goes, not all of them', async (t) => {
  const cache = new RenderCache(3)
  for (const key of ['a', 'b', 'c', 'd']) cache.store(key, json, bytes(1), 0, 100)
  t.equal(cache.size, 3)
  t.equal(cache.lookup('a', json, 1, 0), undefined)
  t.equal(cache.lookup('d', json, 1, 0)?.body, 'v1')
  cache.store('b', json, bytes(2), 0, 100)
  cache.store('e', json, bytes(1), 0, 100)
  t.equal(cache.lookup('b', json, 2, 0)?.body, 'v2', 'storing again makes an answer the newest')
  t.equal(cache.lookup('c', json, 1, 0), undefined)
  t.equal(cache.renders, 6)
})

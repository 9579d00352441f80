import t from 'tap'
import { appWith } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'

// a check that answers at once; its stats count the probes
const counting = (name: string) => synthetic(name, async () => ({}))

t.test(
  '?fresh is read once, with one meaning: fresh=0 and fresh=false are the cached answer, bytes and all',
  async (t) => {
    const c = counting('counted')
    const { app } = await appWith({ HEALTH_MIN_PROBE_INTERVAL_MS: '0' }, { checks: [c.def] })
    t.teardown(() => app.close())
    for (const path of ['/ready', '/health', '/health/counted']) await app.inject(path)
    const renders = app.health.rendered.renders
    const probes = c.stats.runs
    for (const path of ['/ready', '/health', '/health/counted']) {
      for (const q of ['fresh=0', 'fresh=false']) t.equal((await app.inject(`${path}?${q}`)).statusCode, 200)
    }
    t.equal(c.stats.runs, probes, 'no probe')
    t.equal(app.health.rendered.renders, renders, 'nothing rendered again')
    for (const path of ['/ready', '/health', '/health/counted']) await app.inject(`${path}?fresh=1`)
    t.equal(c.stats.runs, probes + 3, 'fresh=1 probes, each time')
  },
)

t.test('/health/{service} validates its querystring: a flag given twice is a 400 in the error shape', async (t) => {
  const c = counting('strict')
  const { app } = await appWith({}, { checks: [c.def] })
  t.teardown(() => app.close())
  for (const q of ['verbose=a&verbose=b', 'fresh=1&fresh=2']) {
    const res = await app.inject(`/health/strict?${q}`)
    t.equal(res.statusCode, 400, q)
    t.equal(res.headers['cache-control'], 'no-store')
    const body = res.json()
    t.same(Object.keys(body).sort(), ['error', 'message', 'statusCode'])
    t.equal(body.error, 'Bad Request')
    t.match(body.message, /querystring/)
  }
  t.equal(c.stats.runs, 0, 'a rejected request probes nothing')
  const unknown = await app.inject('/health/nope?verbose=a&verbose=b')
  t.equal(unknown.statusCode, 404, 'an unknown name is still the 404 with the list of names')
  t.same(unknown.json().known, ['strict'])
})

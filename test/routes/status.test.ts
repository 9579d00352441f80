import t from 'tap'
import { createHash } from 'node:crypto'
import { CheckError } from '../../src/checks/types.js'
import { Reason } from '../../src/reasons.js'
import { appWith, bearerToken } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'
import { SEGMENTS } from '../../src/routes/status-page.js'

// The status page from its HTML: what it lists, that it never probes, what it withholds, and its headers.
// test/routes/status-browser.test.ts drives it in a browser.

const TOKEN = bearerToken()
const OUTPUT = 'connection refused by db-7.internal.example:6390'

function checks() {
  const db = synthetic('db', async () => ({}))
  const cache = synthetic(
    'cache',
    async () => {
      throw new CheckError(Reason.REFUSED, OUTPUT)
    },
    { tier: 'optional' },
  )
  return { db, cache, defs: [db.def, cache.def] }
}

// the text of an element by id, tags stripped
const textOf = (html: string, id: string) =>
  (new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</li>`).exec(html)?.[1] ?? '').replace(/<[^>]+>/g, '')

t.test('before any probe: every check is listed as not observed yet, and the page starts no probe', async (t) => {
  const { db, cache, defs } = checks()
  const { app } = await appWith({}, { checks: defs })
  t.teardown(() => app.close())
  const res = await app.inject('/status')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(textOf(res.body, 'check-db'), /not observed yet/)
  t.match(textOf(res.body, 'check-cache'), /not observed yet/)
  t.match(res.body, /No check has been observed since the service started/)
  t.equal(db.stats.runs + cache.stats.runs, 0, 'no probe ran')
})

t.test('the page shows the cached results, even expired ones, without probing again', async (t) => {
  const clock = new ManualClock()
  const { db, cache, defs } = checks()
  const { app } = await appWith({}, { checks: defs, clock })
  t.teardown(() => app.close())
  t.equal((await app.inject('/health')).statusCode, 200)
  clock.advance(3 * 60_000 + 12_000)
  const res = await app.inject('/status')
  t.equal(db.stats.runs + cache.stats.runs, 2, 'only the /health request probed')
  const failing = textOf(res.body, 'check-cache')
  t.match(failing, /failing/)
  t.match(failing, Reason.REFUSED)
  t.match(failing, OUTPUT, 'HEALTH_DETAILS=always: the output is shown')
  t.match(failing, /3m12s ago/, 'since when, in words')
  t.match(textOf(res.body, 'check-db'), /passing/)
  t.match(res.body, /huntaze-health is <span class="state s-warn">/, 'an optional failure: the whole warns')
  const critical = res.body.indexOf('id="tier-critical"')
  const optional = res.body.indexOf('id="tier-optional"')
  t.ok(critical >= 0 && critical < res.body.indexOf('id="check-db"'), 'db under the critical heading')
  t.ok(optional >= 0 && optional < res.body.indexOf('id="check-cache"'), 'cache under the optional heading')
  t.equal(res.body.indexOf('id="tier-important"'), -1, 'no heading for a tier without checks')
})

t.test('every text of a result is escaped: a provider output cannot inject markup', async (t) => {
  const evil = '<script>alert("x")</script><img src=x onerror=alert(1)> & \'quoted\''
  const check = synthetic('evil', async () => {
    throw new CheckError(Reason.BAD_RESPONSE, evil)
  })
  const { app } = await appWith({ HEALTH_SERVICE_ID: 'ops<b>&co' }, { checks: [check.def] })
  t.teardown(() => app.close())
  await app.inject('/health')
  const body = (await app.inject('/status')).body
  t.notMatch(body, '<script>alert', 'no script element from the output')
  t.notMatch(body, '<img', 'no element from the output')
  t.notMatch(body, '<b>', 'no element from the service id')
  t.match(
    body,
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quoted&#39;',
  )
  t.match(body, '<title>ops&lt;b&gt;&amp;co status</title>')
  t.equal(body.match(/<script>/g)?.length, 1, "the page's own script only")
})

t.test('the page obeys HEALTH_DETAILS like /health: no output without a token', async (t) => {
  const { defs } = checks()
  const { app } = await appWith({ HEALTH_DETAILS: 'authorized', HEALTH_AUTH_TOKENS: TOKEN }, { checks: defs })
  t.teardown(() => app.close())
  await app.inject('/health')
  const anonymous = await app.inject('/status')
  t.equal(anonymous.statusCode, 200)
  t.notMatch(anonymous.body, 'db-7.internal.example', 'the output is withheld')
  t.match(textOf(anonymous.body, 'check-cache'), Reason.REFUSED, 'the reason code is not')
  t.match(anonymous.body, /Details withheld/)
  t.equal(anonymous.headers.vary, 'Authorization')
  const authorized = await app.inject({ url: '/status', headers: { authorization: `Bearer ${TOKEN}` } })
  t.match(textOf(authorized.body, 'check-cache'), OUTPUT, 'a token sees the output')
  t.notMatch(authorized.body, /Details withheld/)
  const wrong = await app.inject({ url: '/status', headers: { authorization: 'Bearer not-the-token-0123456789' } })
  t.equal(wrong.statusCode, 401, 'a wrong token is refused, as on /health')
  t.match(wrong.headers['content-type'], /^application\/json/)
  t.notMatch(wrong.body, 'db-7.internal.example')
})

t.test('the Content-Security-Policy allows exactly the inline style and script the page carries', async (t) => {
  const { app } = await appWith({}, { checks: checks().defs })
  t.teardown(() => app.close())
  const res = await app.inject('/status')
  const csp = String(res.headers['content-security-policy'])
  const hash = (tag: string) => {
    const inline = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(res.body)?.[1] ?? ''
    return `'sha256-${createHash('sha256').update(inline).digest('base64')}'`
  }
  t.match(csp, `script-src ${hash('script')}`)
  t.match(csp, `style-src ${hash('style')}`)
  t.match(csp, "default-src 'none'")
  t.match(csp, "connect-src 'self'")
  t.equal(res.headers['x-content-type-options'], 'nosniff')
})

t.test('the page polls as often as the shortest cache lifetime, within bounds', async (t) => {
  for (const [ttl, expected] of [
    ['500', 2000],
    ['7000', 7000],
    ['900000', 60000],
  ] as const) {
    const { app } = await appWith({ HEALTH_CACHE_TTL_MS: ttl }, { checks: checks().defs })
    const body = (await app.inject('/status')).body
    t.match(body, `data-refresh-ms="${expected}"`, `HEALTH_CACHE_TTL_MS=${ttl}`)
    t.match(body, '<noscript><meta http-equiv="refresh" content="60"></noscript>')
    await app.close()
  }
})

t.test("each check's last 24 hours is a bar of half-hours from the history, with its uptime in words", async (t) => {
  const clock = new ManualClock()
  let down = false
  const flaky = synthetic('flaky', async () => {
    if (down) throw new CheckError(Reason.TIMEOUT, 'no answer')
    return {}
  })
  const { app } = await appWith({}, { checks: [flaky.def], clock })
  t.teardown(() => app.close())
  const probe = async (failing: boolean, after: number) => {
    down = failing
    clock.advance(after)
    // ?fresh waits for the probe, so each result is recorded before the next
    await app.inject('/health/flaky?fresh')
  }
  // three hours ago it passed, an hour later it failed twice, now it passes
  await probe(false, 0)
  await probe(true, 2 * 3600_000)
  await probe(true, 10_000)
  await probe(false, 3600_000 - 10_000)
  const html = (await app.inject('/status')).body
  const bar = /<span class="bar" role="img" aria-label="([^"]*)">(.*?)<\/span>([^<]*)<\/dd>/.exec(html)
  t.ok(bar, 'the bar is there')
  const segments = [...bar![2].matchAll(/class="b-(\w+)"/g)].map((m) => m[1])
  t.equal(segments.length, SEGMENTS, 'one segment a half-hour')
  const expected = Array.from({ length: SEGMENTS }, () => 'none')
  expected[SEGMENTS - 1 - 6] = 'pass'
  expected[SEGMENTS - 1 - 2] = 'fail'
  expected[SEGMENTS - 1] = 'pass'
  t.same(segments, expected, 'oldest first, the newest half-hour last')
  t.equal(bar![3], '50% up, failing in 1 half-hour', 'in words: 2 of 4 results were up')
  t.match(bar![1], '50% up, failing in 1 half-hour', 'the same words name the picture')
})

t.test('the page is rendered at most once a second per kind of caller, and again on a new result', async (t) => {
  const clock = new ManualClock()
  const { defs } = checks()
  const { app } = await appWith({ HEALTH_DETAILS: 'authorized', HEALTH_AUTH_TOKENS: TOKEN }, { checks: defs, clock })
  t.teardown(() => app.close())
  await app.inject('/health')
  const renders = () => app.health.rendered.renders
  const page = async (token?: string) =>
    (await app.inject({ url: '/status', headers: token ? { authorization: `Bearer ${token}` } : {} })).body
  const before = renders()
  const first = await page()
  t.equal(await page(), first, 'the same bytes within the second')
  t.equal(renders(), before + 1, 'rendered once')
  t.match(await page(TOKEN), OUTPUT, 'a token gets its own rendering, with the output')
  t.notMatch(await page(), OUTPUT, 'and the anonymous one stays without it')
  t.equal(renders(), before + 2)
  clock.advance(1000)
  t.match(textOf(await page(), 'check-db'), /Checked1s ago/, 'the next second: the ages move')
  t.equal(renders(), before + 3)
  const version = app.health.runner.version
  // within the same second, so only the new result can make the page render again
  await app.inject('/health?fresh')
  t.ok(app.health.runner.version > version, 'a new result')
  // /health's own rendering counts too: count from here
  const afterProbe = renders()
  t.notMatch(await page(), OUTPUT)
  await page()
  t.equal(renders(), afterProbe + 1, 'a new result: rendered again, once')
})

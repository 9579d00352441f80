import t, { type Test } from 'tap'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import axe from 'axe-core'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import type { FastifyInstance } from 'fastify'
import { CheckError } from '../../src/checks/types.js'
import { Reason } from '../../src/reasons.js'
import { appWith, bearerToken } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { ManualClock } from '../support/clock.js'

// The status page in headless Chromium (Debian's chromium package): no console error, WCAG AA by axe-core, a
// failing check's reason, an update without a reload, phone width, and without scripts.

// generous: a loaded 2-core machine starts a browser in seconds, not milliseconds
const WAIT_MS = 60_000
const REFUSED = 'connection refused 127.0.0.1:6390'
const TOKEN = bearerToken()

let browser: Browser
t.before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], timeout: WAIT_MS })
})
t.teardown(() => browser?.close())

interface Served {
  app: FastifyInstance
  url: string
  clock: ManualClock
  // makes the important check fail from its next probe on
  breakStripe: () => void
}

const HALF_HOUR_MS = 30 * 60_000

// Checks named like the catalogue's, so the screenshot reads like the real page, with a day of results in the history
// (redis refused for the last two hours) cached before any page loads.
async function serve(t: Test, env: Record<string, string> = {}): Promise<Served> {
  let stripeDown = false
  let redisDown = false
  const checks = [
    synthetic('postgres', async () => ({}), { componentType: 'datastore' }).def,
    synthetic(
      'stripe',
      async () => {
        if (stripeDown) throw new CheckError(Reason.TIMEOUT, 'no answer within 3000ms')
        return {}
      },
      { tier: 'important' },
    ).def,
    synthetic(
      'redis',
      async () => {
        if (redisDown) throw new CheckError(Reason.REFUSED, REFUSED)
        return {}
      },
      { tier: 'optional', componentType: 'datastore' },
    ).def,
  ]
  const clock = new ManualClock()
  const { app } = await appWith({ HEALTH_CACHE_TTL_MS: '1000', ...env }, { checks, clock })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  for (let i = 0; i < 48; i++) {
    redisDown = i >= 44
    clock.advance(HALF_HOUR_MS)
    // ?fresh waits for the probes, so each half-hour's results are recorded before the clock moves on
    await app.inject('/health?fresh')
  }
  clock.advance(3 * 60_000 + 12_000)
  const { port } = app.server.address() as AddressInfo
  return { app, url: `http://127.0.0.1:${port}/status`, clock, breakStripe: () => void (stripeDown = true) }
}

// A page whose console errors and uncaught errors are collected; the context closes with the test.
async function open(
  t: Test,
  url: string,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext(options)
  t.teardown(() => context.close())
  const page = await context.newPage()
  page.setDefaultTimeout(WAIT_MS)
  const errors: string[] = []
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
  page.on('pageerror', (e) => void errors.push(e.message))
  const res = await page.goto(url, { waitUntil: 'load', timeout: WAIT_MS })
  t.equal(res?.status(), 200, 'the page loads')
  return { page, errors }
}

t.test('the page loads without an error, meets WCAG 2 AA, and shows why a check fails', async (t) => {
  const { url } = await serve(t)
  const { page, errors } = await open(t, url)
  const redis = await page.locator('#check-redis').innerText()
  t.match(redis, /failing/)
  t.match(redis, Reason.REFUSED)
  t.match(redis, REFUSED)
  t.match(await page.locator('#check-postgres').innerText(), /passing/)
  t.match(redis, '91.66% up, failing in 4 half-hours', 'its day in words')
  // evaluated, not added as a script tag: the page's Content-Security-Policy stays on and is tested with it
  await page.evaluate(axe.source)
  const { passed, violations } = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })
    return {
      passed: result.passes.map((p) => p.id),
      violations: result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    }
  })
  t.ok(passed.includes('color-contrast'), 'axe-core ran, the contrast rule among others')
  t.same(violations, [], 'no axe-core violation of WCAG 2.1 A or AA')
  t.same(errors, [], 'no console error and no page error (a blocked script or style would be one)')
})

t.test('the page updates itself when a check changes, without a reload', async (t) => {
  const { url, clock, breakStripe } = await serve(t)
  const { page, errors } = await open(t, url)
  t.match(await page.locator('#check-stripe').innerText(), /passing/)
  // a reload would lose this
  await page.evaluate(() => void Object.assign(window, { sameDocument: true }))
  breakStripe()
  clock.advance(10_000)
  await page.waitForFunction(
    () => document.getElementById('check-stripe')?.textContent?.includes('failing'),
    undefined,
    { timeout: WAIT_MS, polling: 200 },
  )
  t.match(await page.locator('#check-stripe').innerText(), Reason.TIMEOUT, 'the new reason is shown')
  t.match(await page.locator('#overall').innerText(), /warning/, 'and the overall status with it')
  t.equal(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument), true, 'the same document')
  t.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), 1, 'one navigation')
  t.same(errors, [])
})

t.test('at 375 px the page fits without horizontal scrolling', async (t) => {
  const { url } = await serve(t)
  const { page } = await open(t, url, { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 })
  t.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 375, 'scrollWidth within the viewport')
  const dir = mkdtempSync(join(tmpdir(), 'status-page-'))
  await page.screenshot({ path: join(dir, 'status.png'), fullPage: true })
  // the committed screenshot is only rewritten on request, never by a test run
  if (process.env.UPDATE_SCREENSHOT === '1')
    await page.screenshot({ path: new URL('../../docs/images/status.png', import.meta.url).pathname, fullPage: true })
})

t.test('without scripts the page refreshes itself and still shows every check', async (t) => {
  const { url } = await serve(t)
  const { page } = await open(t, url, { javaScriptEnabled: false })
  t.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute('content'), '60')
  t.match(await page.locator('#check-redis').innerText(), REFUSED)
  t.equal(await page.locator('li.check').count(), 3)
})

t.test('in a browser without a token the withheld output is not in the page', async (t) => {
  const { url } = await serve(t, { HEALTH_DETAILS: 'authorized', HEALTH_AUTH_TOKENS: TOKEN })
  const anonymous = await open(t, url)
  t.notMatch(await anonymous.page.content(), REFUSED)
  t.match(await anonymous.page.locator('#check-redis').innerText(), Reason.REFUSED)
  // a proxy that adds the token to every request: the page and its updates see the details
  const authorized = await open(t, url, { extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` } })
  t.match(await authorized.page.locator('#check-redis').innerText(), REFUSED)
  t.same([...anonymous.errors, ...authorized.errors], [])
})

import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { json, startFake } from '../support/fakes/http.js'
import { startReceiver } from '../support/fakes/webhook.js'
import { freePort } from '../support/fakes/tcp.js'
import { startRedis, stopRedis } from '../support/redis-server.js'
import { startService } from '../support/service.js'
import { parseExposition, valueOf } from '../support/prometheus.js'
import { PG_URL } from '../support/helpers.js'
import { sentinel } from '../support/secrets.js'
import { MARGIN_MS } from '../support/probe.js'

// Replicas of the service (real processes) sharing a coordination redis-server of the test's own: a global check
// (Stripe, at a counting fake) is probed once per lifetime for the fleet, a local one (PostgreSQL) by each replica;
// a change is notified once; the loss of the lease holder or of Redis costs at most a lease.

const LIFETIME_MS = 1000
const TIMEOUT_MS = 1000
const LEASE_MS = TIMEOUT_MS + 1000
const stripeKey = sentinel('sk_test_FLEET').value
const webhookSecret = sentinel('whsec_FLEET').value

// Stripe's balance, or its 500, as the test decides, after delayMs; every request is counted
async function provider(t: Test, delayMs = 0) {
  const state = { failing: false }
  const fake = await startFake(async (_req, res) => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs))
    if (state.failing) return json(res, 500, { error: { message: 'An unknown error occurred', type: 'api_error' } })
    json(res, 200, { object: 'balance', available: [], pending: [], livemode: false })
  })
  t.teardown(() => fake.close())
  return { fake, state }
}

async function coordination(t: Test) {
  const port = await freePort()
  const server = await startRedis(port)
  t.teardown(() => stopRedis(server))
  return { server, url: `redis://127.0.0.1:${port}` }
}

function replicas(t: Test, n: number, env: Record<string, string>) {
  const started = Array.from({ length: n }, (_, i) => {
    const srv = startService({
      NODE_ENV: 'development',
      DATABASE_URL: PG_URL,
      STRIPE_SECRET_KEY: stripeKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_URL: env.STRIPE_API_URL,
      HEALTH_CACHE_TTL_MS: String(LIFETIME_MS),
      HEALTH_THIRD_PARTY_CACHE_TTL_MS: String(LIFETIME_MS),
      HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
      HEALTH_MIN_PROBE_INTERVAL_MS: '0',
      HEALTH_DETAILS: 'always',
      HEALTH_SERVICE_ID: `replica-${i + 1}`,
      ...env,
    })
    t.teardown(() => srv.child.kill('SIGKILL'))
    return srv
  })
  return Promise.all(started.map(async (srv) => ({ srv, port: await srv.port })))
}

const metrics = async (port: number) => parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())

async function until(what: string, ok: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await ok()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`not within ${ms} ms: ${what}`)
}

const observed = async (port: number, check: string) =>
  valueOf(await metrics(port), 'huntaze_health_check_observed', { check }) === 1

// the provider calls of n replicas over a window that begins once all have a result
async function callsOver(t: Test, n: number, windowMs: number) {
  const { fake } = await provider(t)
  const env: Record<string, string> = { STRIPE_API_URL: fake.url }
  if (n > 1) env.HEALTH_FLEET_REDIS_URL = (await coordination(t)).url
  const fleet = await replicas(t, n, env)
  for (const r of fleet) await until(`replica on ${r.port} observed stripe`, () => observed(r.port, 'stripe'))
  const before = fake.requests.length
  await new Promise((r) => setTimeout(r, windowMs))
  const calls = fake.requests.length - before
  const pgProbes = await Promise.all(
    fleet.map(async (r) => valueOf(await metrics(r.port), 'huntaze_health_probes_total', { check: 'postgres' }) ?? 0),
  )
  for (const r of fleet) r.srv.child.kill('SIGKILL')
  return { calls, fleet, pgProbes }
}

t.test('three replicas make no more provider calls than one; each still probes its local checks', async (t) => {
  const WINDOW_MS = 8000
  const one = await callsOver(t, 1, WINDOW_MS)
  const three = await callsOver(t, 3, WINDOW_MS)
  t.ok(one.calls >= WINDOW_MS / LIFETIME_MS / 2, `one replica: ${one.calls} calls in ${WINDOW_MS} ms`)
  // one more than 5 % allows the window's edges to cut one lifetime in two
  t.ok(three.calls <= one.calls * 1.05 + 1, `three replicas: ${three.calls} calls, one: ${one.calls}`)
  for (const [i, n] of three.pgProbes.entries()) t.ok(n > 0, `replica ${i + 1} probed PostgreSQL itself (${n})`)
})

t.test('every replica shows where the shared result came from', async (t) => {
  const { fake } = await provider(t)
  const redis = await coordination(t)
  const fleet = await replicas(t, 3, { STRIPE_API_URL: fake.url, HEALTH_FLEET_REDIS_URL: redis.url })
  for (const r of fleet) await until('observed', () => observed(r.port, 'stripe'))
  const sources = await Promise.all(
    fleet.map(async (r) => {
      const e = await metrics(r.port)
      t.equal(valueOf(e, 'huntaze_health_fleet_redis_up'), 1, 'the coordination Redis answers')
      return e.samples.find((s) => s.name === 'huntaze_health_check_source' && s.labels.check === 'stripe')?.labels
    }),
  )
  for (const s of sources) {
    t.ok(s && ['probed', 'shared'].includes(s.source), `source ${s?.source}`)
    t.match(s?.probed_by, /^replica-[123]$/, 'names the replica that probed')
  }
  t.notOk(
    sources.some((s) => s?.source === 'alone'),
    'none probes alone',
  )
  for (const [i, r] of fleet.entries()) {
    const body = (await (await fetch(`http://127.0.0.1:${r.port}/health/stripe`)).json()) as {
      checks: Record<string, { details?: Record<string, string> }[]>
    }
    const details = body.checks['stripe:responseTime'][0].details
    // a round may have passed since the scrape: what holds of any round
    t.ok(['probed', 'shared'].includes(details?.fleet ?? ''), `the result says where it came from: ${details?.fleet}`)
    t.match(details?.probedBy, /^replica-[123]$/, 'and which replica probed it')
    if (details?.fleet === 'probed') t.equal(details.probedBy, `replica-${i + 1}`, 'itself, when it probed')
    else t.not(details?.probedBy, `replica-${i + 1}`, 'another, when it was shared')
  }
})

t.test(
  'the lease holder killed mid-probe: another replica has a fresh result within the lease and a second',
  async (t) => {
    // a slow provider: each probe holds the lease for half a second, long enough to be caught holding it
    const { fake } = await provider(t, 500)
    const redis = await coordination(t)
    const fleet = await replicas(t, 3, { STRIPE_API_URL: fake.url, HEALTH_FLEET_REDIS_URL: redis.url })
    for (const r of fleet) await until('observed', () => observed(r.port, 'stripe'))
    const admin = new Redis(redis.url)
    t.teardown(() => admin.disconnect())
    const key = 'huntaze-health:fleet:development:lease:stripe'
    await until('a lease is taken', async () => (await admin.get(key)) !== null)
    const holder = (await admin.get(key))!.split(':')[0]
    const victim = fleet.find((r) => holder === `replica-${fleet.indexOf(r) + 1}`)!
    const killedAt = Date.now()
    victim.srv.child.kill('SIGKILL')
    const survivors = fleet.filter((r) => r !== victim)
    const lastObservedMs = async (port: number) =>
      1000 *
      (valueOf(await metrics(port), 'huntaze_health_check_last_observed_timestamp_seconds', { check: 'stripe' }) ?? 0)
    for (const r of survivors)
      await until(
        `replica on ${r.port} has a result observed after the kill`,
        async () => (await lastObservedMs(r.port)) > killedAt,
        LEASE_MS + 1000 + MARGIN_MS,
      )
    t.pass(`fresh results within ${Date.now() - killedAt} ms of the kill`)
  },
)

t.test('Redis paused: /ready stays quick, every replica probes alone, and shares again once it resumes', async (t) => {
  const { fake } = await provider(t)
  const redis = await coordination(t)
  const fleet = await replicas(t, 3, { STRIPE_API_URL: fake.url, HEALTH_FLEET_REDIS_URL: redis.url })
  for (const r of fleet) await until('observed', () => observed(r.port, 'stripe'))
  // the other critical checks are not configured here: /ready's verdict is theirs, and must not move
  const readyBefore = await Promise.all(
    fleet.map(async (r) => (await fetch(`http://127.0.0.1:${r.port}/ready`)).status),
  )
  redis.server.kill('SIGSTOP')
  t.teardown(() => redis.server.kill('SIGCONT'))
  const source = async (port: number) => {
    const e = await metrics(port)
    return {
      up: valueOf(e, 'huntaze_health_fleet_redis_up'),
      source: e.samples.find((s) => s.name === 'huntaze_health_check_source' && s.labels.check === 'stripe')?.labels
        .source,
    }
  }
  for (const [i, r] of fleet.entries()) {
    await until('probing alone', async () => {
      const s = await source(r.port)
      return s.up === 0 && s.source === 'alone'
    })
    const started = performance.now()
    const ready = await fetch(`http://127.0.0.1:${r.port}/ready`)
    const ms = performance.now() - started
    t.equal(ready.status, readyBefore[i], '/ready says what it said: the coordination Redis is not a dependency')
    t.ok(ms < MARGIN_MS, `/ready answered in ${Math.round(ms)} ms`)
  }
  redis.server.kill('SIGCONT')
  for (const r of fleet)
    await until('sharing again', async () => {
      const s = await source(r.port)
      return s.up === 1 && (s.source === 'shared' || s.source === 'probed')
    })
  t.pass('every replica shares again')
})

t.test('a failure and its recovery are notified once each, fleet-wide', async (t) => {
  const { fake, state } = await provider(t)
  const redis = await coordination(t)
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const fleet = await replicas(t, 3, {
    STRIPE_API_URL: fake.url,
    HEALTH_FLEET_REDIS_URL: redis.url,
    HEALTH_NOTIFY_URLS: receiver.url,
  })
  const status = async (port: number) =>
    ((await (await fetch(`http://127.0.0.1:${port}/health/stripe`)).json()) as { status: string }).status
  for (const r of fleet) await until('passing', async () => (await status(r.port)) === 'pass')
  const events = () =>
    receiver.requests.map((r) => JSON.parse(r.body) as { check: string; to: string; serviceId: string })
  for (const [phase, to] of [
    ['failure', 'fail'],
    ['recovery', 'pass'],
  ] as const) {
    state.failing = to === 'fail'
    for (const r of fleet) await until(`${phase} seen`, async () => (await status(r.port)) === to)
    await receiver.received(phase === 'failure' ? 1 : 2)
    // a claim takes at most the fleet's budget: a second delivery would have started by then
    await new Promise((r) => setTimeout(r, 1000))
    const sent = events().filter((e) => e.check === 'stripe' && e.to === to)
    t.equal(sent.length, 1, `one ${phase} notification, from ${sent.map((e) => e.serviceId).join(', ')}`)
    t.match(sent[0]?.serviceId, /^replica-[123]$/, 'naming the replica that sent it')
  }
})

import t from 'tap'
import { Redis } from 'ioredis'
import { FleetCoordinator } from '../../src/fleet/coordinator.js'
import { FleetStore } from '../../src/fleet/store.js'
import { systemClock } from '../../src/engine/clock.js'
import type { ProbedResult } from '../../src/engine/result.js'
import { createLogger } from '../../src/logger.js'
import { captureLogs } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { freePort } from '../support/fakes/tcp.js'
import { startRedis, stopRedis } from '../support/redis-server.js'

// Two holders of one check at once (a lease that lapsed under a slow probe): the result of the probe that began
// first, published last, never replaces the one that began later; a third replica adopts the newer one.

const port = await freePort()
const server = await startRedis(port)
t.teardown(() => stopRedis(server))
const url = `redis://127.0.0.1:${port}`
const replica = (id: string) => {
  const store = new FleetStore({ url, prefix: 'test:', budgetMs: 250 })
  t.teardown(() => store.close())
  const log = createLogger('debug', (s) => s, captureLogs().stream)
  return new FleetCoordinator({ store, serviceId: id, clock: systemClock, log, pollMs: 10 })
}
const { def } = synthetic('shared-api', async () => ({}))
const result = (output: string): ProbedResult => {
  const now = Date.now()
  return {
    name: def.name,
    tier: def.tier,
    componentType: def.componentType,
    observedAt: now,
    expiresAt: now + 60_000,
    durationMs: 1,
    status: 'pass',
    output,
    liveCheck: true,
    findings: [],
    measurements: [],
  }
}

t.test('the older of two holders never replaces the newer result', async (t) => {
  const admin = new Redis(url)
  t.teardown(() => admin.disconnect())
  const [a, b, c] = [replica('a'), replica('b'), replica('c')]
  let finishA: () => void = () => undefined
  const slow = new Promise<void>((r) => (finishA = r))
  let startedA: () => void = () => undefined
  const aProbing = new Promise<void>((r) => (startedA = r))
  const first = a.evaluate(def, 1000, 100, async () => {
    startedA()
    await slow
    return result('probed first, by a')
  })
  await aProbing
  // a's lease lapses under its slow probe: b takes the check and probes it, later and quicker
  await admin.del('test:lease:shared-api')
  const second = await b.evaluate(def, 1000, 100, async () => result('probed second, by b'))
  t.equal(second.output, 'probed second, by b')
  finishA()
  t.equal((await first).output, 'probed first, by a', 'a still has its own result')
  const adopted = await c.evaluate(def, 1000, 100, async () => {
    throw new Error('c must not probe: a result holds')
  })
  t.equal(adopted.output, 'probed second, by b', 'the newer one is what the fleet shares')
  t.same(c.source(def.name), { source: 'shared', probedBy: 'b' })
})

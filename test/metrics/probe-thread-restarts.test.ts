import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { WorkerExecutor } from '../../src/engine/worker-executor.js'
import { InlineExecutor } from '../../src/engine/inline-executor.js'
import { synthetic } from '../support/checks.js'
import { captureLogs, testConfig } from '../support/helpers.js'
import { createLogger } from '../../src/logger.js'
import { delay } from '../support/engine.js'
import { CheckError } from '../../src/checks/types.js'
import { Reason } from '../../src/reasons.js'

const log = () => createLogger('debug', (s) => s, captureLogs().stream)
const thread = (file: string, wedgedMs?: number) =>
  new WorkerExecutor(new URL(`../support/${file}`, import.meta.url), testConfig(), log(), undefined, wedgedMs)

// the threads and the executor's timers are unref'd: keep the process alive while they work
function keepAlive(t: Test) {
  const timer = setInterval(() => undefined, 1000)
  t.teardown(() => clearInterval(timer))
}

t.test('a probe thread that exits: the probe runs again in a new thread, once, then is INTERRUPTED', async (t) => {
  keepAlive(t)
  const executor = thread('exiting-thread.mjs')
  t.teardown(() => executor.close())
  const { def } = synthetic('crashy', async () => ({}))
  t.equal(executor.restarts, 0)
  for (let i = 1; i <= 3; i++) {
    const outcome = await executor.run(def, 5_000)
    t.match(
      outcome,
      { error: { reason: 'INTERRUPTED', message: /the probe thread stopped twice while probing.*not judged/ } },
      `probe ${i}: not a verdict on the dependency`,
    )
    t.equal(executor.restarts, 2 * i - 1, `two threads lost for probe ${i}`)
  }
})

t.test('a thread kept busy past the timeout: that probe is INTERRUPTED, the thread is kept', async (t) => {
  keepAlive(t)
  // the thread stays busy until the test releases it, after the answer: an executor that waited would hang here
  const release = join(t.testdir(), 'release')
  process.env.BUSY_THREAD_RELEASE = release
  t.teardown(() => delete process.env.BUSY_THREAD_RELEASE)
  const executor = thread('busy-thread.mjs', 30_000)
  t.teardown(() => executor.close())
  const outcome = await executor.run(synthetic('busy', undefined).def, 100)
  t.match(outcome, { error: { reason: 'INTERRUPTED', message: /busy past the 100ms timeout.*not judged/ } })
  writeFileSync(release, '')
  const next = await executor.run(synthetic('ok', undefined).def, 1000)
  t.same(next, { obs: { details: { thread: 'answered' } } }, 'the same thread answers the next probe')
  t.equal(executor.restarts, 0, 'a busy thread is not replaced')
})

t.test('a wedged thread: only its probe is blamed, the others in flight run again in a new thread', async (t) => {
  keepAlive(t)
  const executor = thread('busy-thread.mjs', 300)
  t.teardown(() => executor.close())
  const others = [executor.run(synthetic('ok', undefined).def, 5_000)]
  const wedged = executor.run(synthetic('wedge', undefined).def, 100)
  others.push(executor.run(synthetic('ok', undefined).def, 5_000))
  t.match(await wedged, { error: { reason: 'INTERRUPTED' } }, 'the probe that overran')
  for (const o of await Promise.all(others))
    t.same(o, { obs: { details: { thread: 'answered' } } }, 'a probe in flight with it still gets its answer')
  t.equal(executor.restarts, 1, 'the wedged thread was replaced once')
})

t.test('inline: a thread held past half the timeout is INTERRUPTED, an answer that waited is read', async (t) => {
  const executor = new InlineExecutor(testConfig(), log())
  t.teardown(() => executor.close())
  const spin = (ms: number) => {
    const end = performance.now() + ms
    while (performance.now() < end);
  }
  // the dependency answered at 20 ms, while this thread was busy past the 200 ms timeout: a pass
  const answered = executor.run(synthetic('answers', (signal) => delay(20, signal, { details: { n: 1 } })).def, 200)
  await new Promise((r) => setImmediate(r))
  spin(400)
  t.same(await answered, { obs: { details: { n: 1 } } }, 'the answer that came in time is a pass')
  const hung = executor.run(synthetic('hung', (signal) => delay(60_000, signal)).def, 200)
  await new Promise((r) => setImmediate(r))
  spin(800)
  t.match(await hung, { error: { reason: 'INTERRUPTED' } }, 'held for the whole timeout: not judged')
  const timedOut = await executor.run(synthetic('hung2', (signal) => delay(60_000, signal)).def, 1000)
  t.match(timedOut, { error: { reason: 'TIMEOUT' } }, 'with the thread free, a hung dependency is a TIMEOUT')
})

t.test(
  "inline: a client's own timer that fires while the thread was held is not the dependency's TIMEOUT",
  async (t) => {
    const executor = new InlineExecutor(testConfig(), log())
    t.teardown(() => executor.close())
    const spin = (ms: number) => {
      const end = performance.now() + ms
      while (performance.now() < end);
    }
    // a client timer a little past the probe's timeout, as CheckContext.clientTimeoutMs sets them
    const clientTimer = (name: string, ms: number) =>
      synthetic(
        name,
        () =>
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new CheckError(Reason.TIMEOUT, `connect timed out after ${ms}ms`)), ms),
          ),
      ).def
    const held = executor.run(clientTimer('held', 250), 200)
    await new Promise((r) => setImmediate(r))
    spin(600)
    t.match(await held, { error: { reason: 'INTERRUPTED' } }, 'both timers expired while held: not judged')
    const early = await executor.run(clientTimer('early', 50), 1000)
    t.match(early, { error: { reason: 'TIMEOUT' } }, "a client's timer that fires before the probe's is its verdict")
  },
)

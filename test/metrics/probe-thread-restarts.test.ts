import t from 'tap'
import { WorkerExecutor } from '../../src/engine/worker-executor.js'
import { synthetic } from '../support/checks.js'
import { captureLogs, testConfig } from '../support/helpers.js'
import { createLogger } from '../../src/logger.js'

t.test('a probe thread that exits is replaced on the next probe, and each replacement counts', async (t) => {
  // the thread and the executor's timers are unref'd: keep the process alive while they work
  const keepAlive = setInterval(() => undefined, 1000)
  t.teardown(() => clearInterval(keepAlive))
  const config = testConfig()
  const log = createLogger('debug', (s) => s, captureLogs().stream)
  const executor = new WorkerExecutor(new URL('../support/exiting-thread.mjs', import.meta.url), config, log)
  t.teardown(() => executor.close())
  const { def } = synthetic('crashy', async () => ({}))
  t.equal(executor.restarts, 0)
  for (let i = 1; i <= 3; i++) {
    const outcome = await executor.run(def, 5_000)
    t.match(outcome, { error: { reason: 'INTERNAL', message: /the probe thread stopped/ } }, `probe ${i} fails`)
    t.equal(executor.restarts, i - 1, `${i - 1} threads replaced before probe ${i + 1}`)
  }
})

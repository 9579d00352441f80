import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PROBE_THREAD_LIMITS, WorkerExecutor } from '../../src/engine/worker-executor.js'
import { createLogger } from '../../src/logger.js'
import { synthetic } from '../support/checks.js'
import { buildCli } from '../support/cli.js'
import { captureLogs, testConfig } from '../support/helpers.js'

// What keeps the fully configured service's resident memory down (docs/performance.md#footprint).

const sdk = /^(@aws-sdk\/|@smithy\/|stripe$|pg$|ioredis$|nodemailer(\/|$))/

// The packages a bundled file imports at its top, so loads on start whatever is configured.
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8')
  return [...source.matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?"([^"]+)";?$/gm)].map((m) => m[1])
}

t.test(
  'the bundled service and probe thread import no SDK at their top: only a configured check loads one',
  async (t) => {
    const built = await buildCli()
    t.teardown(() => built.remove())
    for (const name of ['service.js', 'probe-thread.js']) {
      const imports = staticImports(join(built.dir, 'dist', name))
      t.ok(imports.includes('node:module'), `${name}: the import statements are found (${imports.length})`)
      t.same(
        imports.filter((i) => sdk.test(i)),
        [],
        `${name} imports at start: ${imports.join(', ')}`,
      )
    }
  },
)

t.test('the probe thread runs with a small young generation and a bounded old one', async (t) => {
  // the thread and the executor's timers are unref'd: keep the process alive while they work
  const keepAlive = setInterval(() => undefined, 1000)
  t.teardown(() => clearInterval(keepAlive))
  const log = createLogger('debug', (s) => s, captureLogs().stream)
  const executor = new WorkerExecutor(new URL('../support/limits-thread.mjs', import.meta.url), testConfig(), log)
  t.teardown(() => executor.close())
  const { def } = synthetic('limits', async () => ({}))
  const outcome = await executor.run(def, 5_000)
  t.match(outcome, { obs: { details: PROBE_THREAD_LIMITS } }, JSON.stringify(outcome))
  t.ok(PROBE_THREAD_LIMITS.maxYoungGenerationSizeMb <= 8, 'a young generation of a few MB, not V8’s 48')
  t.ok(PROBE_THREAD_LIMITS.maxOldGenerationSizeMb >= 64, 'room for every SDK the catalogue loads')
})

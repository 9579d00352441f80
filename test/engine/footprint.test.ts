import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import t from 'tap'
import { PROBE_THREAD_LIMITS, WorkerExecutor } from '../../src/engine/worker-executor.js'
import { createLogger } from '../../src/logger.js'
import { synthetic } from '../support/checks.js'
import { buildCli } from '../support/cli.js'
import { captureLogs, PG_URL, REDIS_URL, testConfig } from '../support/helpers.js'
import { collect } from '../support/process.js'

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
    // the bundle names each module it holds in a comment; the configuration module and its schema library stay in
    // the main thread, which parses the settings once and hands the thread the result
    const thread = readFileSync(join(built.dir, 'dist', 'probe-thread.js'), 'utf8')
    const held = [...thread.matchAll(/^\/\/ ((?:node_modules\/(?:@[^/]+\/)?[^/]+)|src\/[^\n]+)/gm)].map((m) => m[1])
    t.ok(held.includes('src/checks/index.ts'), `the module comments are read (${held.length})`)
    t.same(
      held.filter((m) => /^node_modules\/(@sinclair\/typebox|dotenv)$|^src\/config\.ts$/.test(m)),
      [],
      'no TypeBox, dotenv or src/config.ts in the probe thread',
    )
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

const undici = (modules: string[]) => modules.filter((m) => m.includes('undici'))

t.test('the main thread never loads fetch (undici): the bundled service answers its routes without it', async (t) => {
  // what the fix guards against: on this Node, an ES import of node:http loads undici
  const control = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', "await import('node:http'); console.log(JSON.stringify(process.moduleLoadList))"],
    { encoding: 'utf8' },
  )
  t.not(undici(JSON.parse(control.stdout) as string[]).length, 0, 'an ES import of node:http loads undici')

  const built = await buildCli()
  t.teardown(() => built.remove())
  const child = spawn(
    process.execPath,
    [
      '--import',
      new URL('../support/loaded-builtins.mjs', import.meta.url).pathname,
      join(built.dir, 'dist/service.js'),
    ],
    {
      cwd: built.dir,
      env: {
        PATH: process.env.PATH ?? '',
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: '0',
        HEALTH_ENV_FILE: '/nonexistent/.env',
        // two probes run in the probe thread, which may load undici: only the main thread is read
        DATABASE_URL: PG_URL,
        REDIS_URL,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const ran = collect(child, 60_000)
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /Server listening at (http:\/\/[^"\s]+)/.exec(line)
      if (m) resolve(m[1])
    })
    void ran.then((r) => reject(new Error(`the service exited before listening: ${r.stderr}`)))
  })
  // the unconfigured critical checks fail, so /health and /ready answer 503
  for (const path of ['/health?fresh', '/ready', '/health/postgres', '/metrics', '/status']) {
    const res = await fetch(url + path)
    await res.arrayBuffer()
    t.ok(res.status === 200 || res.status === 503, `${path} answered ${res.status}`)
  }
  child.kill('SIGUSR2')
  const { stderr } = await ran
  const modules = JSON.parse(stderr.trim().split('\n').at(-1)!) as string[]
  t.ok(modules.includes('NativeModule http'), `the list is read (${modules.length} modules)`)
  t.same(undici(modules), [], 'no undici in the main thread')
})

// Preload for the start-up bench: records every module the process resolves, with the time, written at exit.
import { syncBuiltinESMExports } from 'node:module'
import workerThreads, { MessageChannel } from 'node:worker_threads'
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { install } from './module-log-install.mjs'

const out = process.env.BENCH_MODULES_OUT
const seen = []
install({ postMessage: (m) => seen.push(m) })

// A preload does not run in worker threads (the service's probes run in one): each worker started from a file is
// started through a bootstrap that installs the same recording there first.
const installer = new URL('./module-log-install.mjs', import.meta.url).href
const Original = workerThreads.Worker
workerThreads.Worker = class extends Original {
  constructor(filename, options = {}) {
    if (options.eval) {
      super(filename, options)
      return
    }
    const target =
      filename instanceof URL
        ? filename.href
        : String(filename).startsWith('file:')
          ? String(filename)
          : pathToFileURL(String(filename)).href
    const channel = new MessageChannel()
    channel.port1.on('message', (m) => seen.push(m))
    channel.port1.unref()
    const boot = `const { workerData } = require('node:worker_threads'); import(${JSON.stringify(installer)}).then((m) => m.install(workerData.__moduleLog)).then(() => import(${JSON.stringify(target)}))`
    super(boot, {
      ...options,
      eval: true,
      workerData: { ...(options.workerData ?? {}), __moduleLog: channel.port2 },
      transferList: [...(options.transferList ?? []), channel.port2],
    })
  }
}
// ESM named imports of node:worker_threads see the patched class only after this
syncBuiltinESMExports()

process.on('exit', () => {
  if (out) writeFileSync(out, JSON.stringify(seen))
})

// Preload for the start-up bench: records every module the process resolves, with the time, written at exit.
import { register, createRequire, syncBuiltinESMExports } from 'node:module'
import workerThreads, { MessageChannel } from 'node:worker_threads'
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const out = process.env.BENCH_MODULES_OUT
const seen = []
const { port1, port2 } = new MessageChannel()
port1.on('message', (m) => seen.push(m))
port1.unref()
register('./module-log-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] })

// CommonJS packages require each other without passing through the ESM hooks
const Module = createRequire(import.meta.url)('node:module')
const load = Module._load
Module._load = function (request, parent, isMain) {
  const t = Date.now()
  const result = load.apply(this, arguments)
  try {
    seen.push({ url: Module._resolveFilename(request, parent, isMain), t })
  } catch {}
  return result
}

// A preload does not run in worker threads (the service's probes run in one): each worker started from a file is
// started through a bootstrap that installs the same recording there first.
const installer = new URL('./module-log-worker.mjs', import.meta.url).href
const Original = workerThreads.Worker
workerThreads.Worker = class extends Original {
  constructor(filename, options = {}) {
    if (options.eval) {
      super(filename, options)
      return
    }
    const target = filename instanceof URL ? filename.href : String(filename).startsWith('file:') ? String(filename) : pathToFileURL(String(filename)).href
    const channel = new MessageChannel()
    channel.port1.on('message', (m) => seen.push(m))
    channel.port1.unref()
    const boot = `const { workerData } = require('node:worker_threads'); import(${JSON.stringify(installer)}).then((m) => m.install(workerData.__moduleLog)).then(() => import(${JSON.stringify(target)}))`
    super(boot, { ...options, eval: true, workerData: { ...(options.workerData ?? {}), __moduleLog: channel.port2 }, transferList: [...(options.transferList ?? []), channel.port2] })
  }
}
// ESM named imports of node:worker_threads see the patched class only after this
syncBuiltinESMExports()

process.on('exit', () => {
  if (out) writeFileSync(out, JSON.stringify(seen))
})

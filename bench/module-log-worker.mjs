// Installed in each worker thread by module-log.mjs: records what the thread loads, reported to the main thread.
import { register, createRequire } from 'node:module'
import { MessageChannel } from 'node:worker_threads'

export function install(main) {
  // the loader hooks get a port of their own; this thread forwards what they report
  const { port1, port2 } = new MessageChannel()
  port1.on('message', (m) => main.postMessage(m))
  port1.unref()
  register('./module-log-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] })
  const Module = createRequire(import.meta.url)('node:module')
  const load = Module._load
  Module._load = function (request, parent, isMain) {
    const t = Date.now()
    const result = load.apply(this, arguments)
    try {
      main.postMessage({ url: Module._resolveFilename(request, parent, isMain), t })
    } catch {}
    return result
  }
}

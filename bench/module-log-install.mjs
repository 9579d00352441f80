// Records every module this thread resolves (ESM through loader hooks, CommonJS through Module._load), with the
// time, as { url, t } messages to `sink`: an array's stand-in in the main thread, a MessagePort in a worker.
import { register, createRequire } from 'node:module'
import { MessageChannel } from 'node:worker_threads'

export function install(sink) {
  // the loader hooks run in a thread of their own and get a port; this thread forwards what they report
  const { port1, port2 } = new MessageChannel()
  port1.on('message', (m) => sink.postMessage(m))
  port1.unref()
  register('./module-log-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] })
  // CommonJS packages require each other without passing through the ESM hooks
  const Module = createRequire(import.meta.url)('node:module')
  const load = Module._load
  Module._load = function (request, parent, isMain) {
    const t = Date.now()
    const result = load.apply(this, arguments)
    try {
      sink.postMessage({ url: Module._resolveFilename(request, parent, isMain), t })
    } catch {
      // the recorder is gone (its thread ended): nothing left to tell
    }
    return result
  }
}

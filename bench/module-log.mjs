// Preload for the start-up bench: records every module the process resolves, with the time, written at exit.
import { register, createRequire } from 'node:module'
import { MessageChannel } from 'node:worker_threads'
import { writeFileSync } from 'node:fs'

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

process.on('exit', () => {
  if (out) writeFileSync(out, JSON.stringify(seen))
})

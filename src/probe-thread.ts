// The worker thread that runs the catalogue's probes (src/engine/worker-executor.ts starts it): their clients, SDKs,
// sockets and garbage live here, so the thread that answers HTTP runs only the request path.
import { parentPort, workerData } from 'node:worker_threads'
import type { FastifyBaseLogger } from 'fastify'
import { checks } from './checks/index.js'
import { InlineExecutor } from './engine/inline-executor.js'
import type { WorkerData, WorkerReply, WorkerRequest } from './engine/worker-executor.js'
import { Reason } from './reasons.js'

const port = parentPort!
const { config, startLimitMs } = workerData as WorkerData
const byName = new Map(checks.map((d) => [d.name, d]))
const post = (m: WorkerReply) => port.postMessage(m)

// Log lines go to the main thread's logger, so they share its destination and its secret scrubbing.
const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const
const log = Object.fromEntries(
  levels.map((level) => [
    level,
    (obj: unknown, msg?: string) =>
      post(
        typeof obj === 'string'
          ? { type: 'log', level, obj: {}, msg: obj }
          : { type: 'log', level, obj: JSON.parse(JSON.stringify(obj ?? {})) as Record<string, unknown>, msg },
      ),
  ]),
) as unknown as FastifyBaseLogger
;(log as unknown as { child: () => FastifyBaseLogger }).child = () => log

const executor = new InlineExecutor(config, log, startLimitMs)

port.on('message', (m: WorkerRequest) => {
  if (m.type === 'close') {
    // closing the port lets the thread exit, which is what the main thread waits for
    void executor.close().then(() => port.close())
    return
  }
  if (m.type === 'ping') return post({ type: 'pong', id: m.id })
  const def = byName.get(m.name)
  if (!def)
    return post({
      type: 'outcome',
      id: m.id,
      outcome: { error: { reason: Reason.INTERNAL, message: `no check named ${m.name} in this build` } },
    })
  void executor
    .run(def, m.timeoutMs, { onTimed: () => post({ type: 'timed', id: m.id }) })
    .then((outcome) => post({ type: 'outcome', id: m.id, outcome }))
})

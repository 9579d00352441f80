// A probe thread that answers each probe with the heap limits it was started with.
import { parentPort, resourceLimits } from 'node:worker_threads'

parentPort.on('message', (m) => {
  if (m.type === 'run')
    parentPort.postMessage({ type: 'outcome', id: m.id, outcome: { obs: { details: resourceLimits } } })
  if (m.type === 'close') parentPort.close()
})

// A probe thread that dies on its first request: what a crash of the real one (src/probe-thread.ts) looks like.
import { parentPort } from 'node:worker_threads'

parentPort.on('message', (m) => {
  if (m.type === 'run') process.exit(1)
  if (m.type === 'close') parentPort.close()
})

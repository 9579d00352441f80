// A probe thread whose checks hold it: "busy" blocks it until the file BUSY_THREAD_RELEASE names exists (a long
// SDK load on a starved CPU; at most 30 s), "wedge" blocks it for good (a probe that spins), "ok" answers after
// 20 ms. Answers pings like the real one.
import { existsSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'

const post = (m) => parentPort.postMessage(m)
const spin = (ms) => {
  const end = Date.now() + ms
  while (Date.now() < end);
}

parentPort.on('message', (m) => {
  if (m.type === 'close') return parentPort.close()
  if (m.type === 'ping') return post({ type: 'pong', id: m.id })
  post({ type: 'timed', id: m.id })
  if (m.name === 'busy') {
    const end = Date.now() + 30_000
    while (Date.now() < end && !existsSync(process.env.BUSY_THREAD_RELEASE ?? '')) spin(5)
    return post({ type: 'outcome', id: m.id, outcome: { obs: {} } })
  }
  if (m.name === 'wedge') for (;;);
  setTimeout(() => post({ type: 'outcome', id: m.id, outcome: { obs: { details: { thread: 'answered' } } } }), 20)
})

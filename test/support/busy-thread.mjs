// A probe thread whose checks hold it: "busy" blocks it for 600 ms then answers (a long SDK load on a starved
// CPU), "wedge" blocks it for good (a probe that spins), "ok" answers after 20 ms. Answers pings like the real one.
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
    spin(600)
    return post({ type: 'outcome', id: m.id, outcome: { obs: {} } })
  }
  if (m.name === 'wedge') for (;;);
  setTimeout(() => post({ type: 'outcome', id: m.id, outcome: { obs: { details: { thread: 'answered' } } } }), 20)
})

import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { Worker } from 'node:worker_threads'
import { socketTracker } from './sockets.js'

// Accepts connections and never answers: what a hung dependency looks like from the client.
export async function startSilentServer(): Promise<{
  port: number
  accepted: () => number
  nextAccept: () => Promise<void>
  open: () => number
  allClosed: () => Promise<void>
  close: () => Promise<void>
}> {
  const sockets = socketTracker()
  let accepted = 0
  let acceptWaiters: (() => void)[] = []
  const server = createServer((s) => {
    accepted++
    for (const f of acceptWaiters) f()
    acceptWaiters = []
    sockets.add(s)
    s.on('error', () => undefined)
    // read and drop what the client sends, so its FIN is seen and the socket closes when the client closes it
    s.resume()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    nextAccept: () => new Promise<void>((r) => acceptWaiters.push(r)),
    open: sockets.open,
    allClosed: sockets.allClosed,
    close: () =>
      new Promise<void>((r) => {
        sockets.destroyAll()
        server.close(() => r())
      }),
  }
}

// A port where nothing listens: bind, read the port, close.
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

// A listener that never accepts, so that the kernel drops SYNs once its queue is full: on loopback, what a host
// behind a firewall that drops SYNs looks like. Its thread's loop is blocked, so libuv never calls accept().
// The queue is filled by connections of our own: `fillers` are their local ports, to leave out of a count.
export async function startSynDropper(): Promise<{ port: number; fillers: Set<number>; close: () => Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4))
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads')
     const server = require('node:net').createServer()
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port)
       const flag = new Int32Array(workerData)
       for (let i = 0; i < 600 && Atomics.load(flag, 0) === 0; i++) Atomics.wait(flag, 0, 0, 1000)
       process.exit(0)
     })`,
    { eval: true, workerData: flag.buffer },
  )
  const exited = new Promise<void>((r) => worker.once('exit', () => r()))
  const port = await new Promise<number>((r) => worker.once('message', r))
  const sockets: Socket[] = []
  const fillers = new Set<number>()
  // the queue holds backlog+1 connections; the first connection that does not complete found it full
  for (let i = 0; i < 8; i++) {
    const s = connect(port, '127.0.0.1')
    s.on('error', () => undefined)
    sockets.push(s)
    const connected = await new Promise<boolean>((r) => {
      const timer = setTimeout(() => r(false), 500)
      s.once('connect', () => {
        clearTimeout(timer)
        r(true)
      })
    })
    if (s.localPort) fillers.add(s.localPort)
    if (!connected) break
  }
  return {
    port,
    fillers,
    close: async () => {
      for (const s of sockets) s.destroy()
      Atomics.store(flag, 0, 1)
      Atomics.notify(flag, 0)
      await exited
    },
  }
}

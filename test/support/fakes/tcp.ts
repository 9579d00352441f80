import { createServer, type AddressInfo } from 'node:net'
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

import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'

export interface JsonFake {
  url: string
  port: number
  // requests received, by method and path (without the query)
  hits: Map<string, number>
  // told of each request while set (the fleet phase times the probes with it)
  onHit?: (key: string, at: number) => void
  close(): Promise<void>
}

// Fields that the usual provider clients look for, so most of them parse an answer they accept.
const plausible = JSON.stringify({
  ok: true,
  object: 'list',
  data: [],
  id: 'bench',
  valid: true,
  access_token: 'bench-token',
  token_type: 'bearer',
  expires_in: 3600,
  result: 'PONG',
  available: [],
  livemode: false,
})

// One loopback provider for every check: 200 JSON for any path; /delay/<ms> answers after <ms>.
export async function startJsonFake(): Promise<JsonFake> {
  const hits = new Map<string, number>()
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    const key = `${req.method} ${path.startsWith('/delay/') ? '/delay/*' : path}`
    hits.set(key, (hits.get(key) ?? 0) + 1)
    fake.onHit?.(key, performance.now())
    req.resume()
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(plausible) })
      res.end(plausible)
    }
    const delay = /^\/delay\/(\d+)$/.exec(path)
    if (delay) {
      const t = setTimeout(() => {
        timers.delete(t)
        answer()
      }, Number(delay[1]))
      timers.add(t)
    } else {
      req.on('end', answer)
    }
  })
  server.keepAliveTimeout = 72_000
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  const fake: JsonFake = {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t)
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
  return fake
}

export interface SilentServer {
  port: number
  accepted(): number
  close(): Promise<void>
}

// Accepts connections and never says a word: a hung dependency as its clients see it.
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>()
  let accepted = 0
  const server = createTcpServer((s) => {
    accepted++
    sockets.add(s)
    s.on('error', () => undefined)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { socketTracker } from './sockets.js'

export interface RecordedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export type FakeHandler = (req: RecordedRequest, res: ServerResponse) => void | 'hang' | Promise<void | 'hang'>

export interface Fake {
  url: string
  port: number
  requests: RecordedRequest[]
  // sockets that are still open (a cancelled probe must close its socket)
  openSockets(): number
  // resolves when every socket a client opened has been closed
  allSocketsClosed(): Promise<void>
  close(): Promise<void>
}

// A loopback HTTP server on port 0 that records what it receives. A handler returning 'hang' never answers.
export async function startFake(handler: FakeHandler): Promise<Fake> {
  const requests: RecordedRequest[] = []
  const sockets = socketTracker()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    const answer = async () => {
      const rec = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(rec)
      const outcome = await handler(rec, res)
      if (outcome === 'hang') return
      if (!res.writableEnded) res.end()
    }
    req.on('end', () => void answer())
  })
  server.on('connection', (s) => sockets.add(s))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    openSockets: sockets.open,
    allSocketsClosed: sockets.allClosed,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.destroyAll()
        server.close(() => resolve())
      }),
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

// The most a flooding fake writes to one request: far past any cap, and still bounded.
export const FLOOD_BYTES = 64 * 1024 * 1024

// Answers 200 to every request with an endless body (up to FLOOD_BYTES), as fast as the client reads it; with
// `declared` it says how long in Content-Length first. It stops writing the moment the client closes.
export async function startFlood(opts: { declared?: boolean } = {}): Promise<Fake & { written: () => number }> {
  let written = 0
  const chunk = Buffer.alloc(64 * 1024, ' ')
  const fake = await startFake(async (_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(opts.declared ? { 'content-length': String(FLOOD_BYTES) } : {}),
    })
    for (let sent = 0; sent < FLOOD_BYTES && !res.destroyed; sent += chunk.length) {
      written += chunk.length
      if (!res.write(chunk))
        await new Promise<void>((r) => {
          // the listener that did not fire goes too, or every wait leaves one behind
          const done = () => {
            res.off('drain', done).off('close', done)
            r()
          }
          res.once('drain', done).once('close', done)
        })
    }
  })
  return { ...fake, written: () => written }
}

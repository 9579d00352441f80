import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { profilerHandlers, serveIpc } from '../lib/child.js'

export interface Canned {
  // the URL as requested, query included
  url: string
  // the service's route pattern, so the ceiling routes the same way
  route: string
  status: number
  headers: Record<string, string>
  body: string
}

const canned = JSON.parse(process.env.BENCH_CANNED ?? '[]') as Canned[]
const byUrl = new Map(canned.map((c) => [c.url, c]))
const kind = process.env.BENCH_CEILING ?? 'fastify'

let url: string
let close: () => Promise<unknown>
if (kind === 'fastify') {
  // a bare Fastify app: default options, no logger, no schema; the same status, headers and bytes
  const app = Fastify()
  for (const route of new Set(canned.map((c) => c.route))) {
    app.get(route, (req, reply) => {
      const c = byUrl.get(req.url)!
      reply.code(c.status).headers(c.headers).send(c.body)
    })
  }
  url = await app.listen({ host: '127.0.0.1', port: 0 })
  close = () => app.close()
} else {
  const server = createServer((req, res) => {
    const c = byUrl.get(req.url ?? '')
    if (!c) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(c.status, { ...c.headers, 'content-length': Buffer.byteLength(c.body) })
    res.end(c.body)
  })
  // Fastify's default, so the keep-alive header is the same bytes too
  server.keepAliveTimeout = 72_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => new Promise((r) => server.close(r))
}

serveIpc(url, { ...profilerHandlers(), close: () => close().then(() => true) })

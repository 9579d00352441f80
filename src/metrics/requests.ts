import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { Counter, type Registry } from 'prom-client'
import { PREFIX } from './registry.js'

// The route label of a request no route matched: a scanner's paths must not become series.
export const UNMATCHED = 'unmatched'

// Counts answers by route pattern and status code: on the path of every request, so one Map increment each; the
// counter reads the Map at scrape time.
export function countRequests(app: FastifyInstance, registry: Registry): void {
  const counts = new Map<string, Map<number, number>>()
  // a callback hook, not an async one: a promise per request is measurable on the routes load balancers poll
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const route = req.routeOptions.url ?? UNMATCHED
    let byCode = counts.get(route)
    if (!byCode) counts.set(route, (byCode = new Map<number, number>()))
    byCode.set(reply.statusCode, (byCode.get(reply.statusCode) ?? 0) + 1)
    done()
  })
  new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'Answered requests by route pattern (route, "unmatched" when no route matched the path) and HTTP status code (code)',
    labelNames: ['route', 'code'],
    registers: [registry],
    collect() {
      this.reset()
      for (const [route, byCode] of counts) for (const [code, n] of byCode) this.inc({ route, code: String(code) }, n)
    },
  })
}

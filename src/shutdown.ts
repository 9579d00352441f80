import type { FastifyInstance } from 'fastify'

// Shuts down so that no client notices: for delayMs /ready answers 503 (load balancers take the instance out) and
// every answer carries Connection: close (keep-alive clients leave after their answer); then the server stops
// accepting, in-flight requests finish, the idle connections close and the app releases its clients. `hurry` cuts
// the delay short (a second signal), never the requests in flight.
export async function drainAndClose(app: FastifyInstance, delayMs: number, hurry?: AbortSignal): Promise<void> {
  app.health.shuttingDown = true
  if (delayMs > 0 && !hurry?.aborted)
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(done, delayMs)
      hurry?.addEventListener('abort', done, { once: true })
    })
  await app.close()
}

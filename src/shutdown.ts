import type { FastifyInstance } from 'fastify'

// Shuts down so that no client notices: for delayMs /ready answers 503 (load balancers take the instance out) and
// every answer carries Connection: close (keep-alive clients leave after their answer); then the server stops
// accepting, in-flight requests finish, the idle connections close and the app releases its clients.
export async function drainAndClose(app: FastifyInstance, delayMs: number): Promise<void> {
  app.health.shuttingDown = true
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
  await app.close()
}

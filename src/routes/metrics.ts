import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'

const exposition = Type.String({
  description:
    'Prometheus text format 0.0.4: every series with its HELP and TYPE (docs/metrics.md lists them). Statuses, tiers, reason codes, timestamps and counts only: no output, detail or setting',
})

// Prometheus scrapes: every series is read from what the service already holds, so a scrape never probes.
export const metricsRoutes: FastifyPluginAsync = async (app) => {
  const registry = app.health.metrics
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description:
          "For Prometheus. Reads the cached results and the service's own counters: a scrape never probes a dependency and never waits for one. Needs no token: it shows no output, detail or setting, so an Authorization header is ignored. Text format 0.0.4 only (no OpenMetrics).",
        tags: ['metrics'],
        response: {
          200: { description: 'The series', content: { 'text/plain': { schema: exposition } } },
        },
      },
    },
    async (_req, reply) => {
      const body = await registry.metrics()
      return reply.header('content-type', registry.contentType).send(body)
    },
  )
}

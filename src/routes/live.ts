import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import { HEALTH_JSON, sendJson } from './respond.js'

const liveBody = Type.Object(
  { status: Type.Literal('pass'), serviceId: Type.String(), version: Type.String() },
  { additionalProperties: false, examples: [{ status: 'pass', serviceId: 'huntaze-health', version: '0.1.0' }] },
)

// Liveness: the process answers. It never touches a dependency.
export const liveRoutes: FastifyPluginAsync = async (app) => {
  const body = JSON.stringify({
    status: 'pass',
    serviceId: app.health.meta.serviceId,
    version: app.health.meta.version,
  })
  app.get(
    '/live',
    {
      schema: {
        summary: 'Liveness: the process is up',
        description: 'Never touches a dependency. For a liveness probe or the container HEALTHCHECK.',
        tags: ['probes'],
        response: { 200: { description: 'The process answers', content: { [HEALTH_JSON]: { schema: liveBody } } } },
      },
    },
    (_req, reply) => void sendJson(reply, 200, body),
  )
}

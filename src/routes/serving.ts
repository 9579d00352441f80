import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import { HEALTH_JSON, sendJson } from './respond.js'
import { Reason } from '../reasons.js'

const servingBody = Type.Object(
  {
    status: Type.Union([Type.Literal('pass'), Type.Literal('fail')]),
    serviceId: Type.String(),
    version: Type.String(),
    output: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

// This instance's own readiness: it answers reports, whatever the dependencies say. /ready is the platform's.
export const servingRoutes: FastifyPluginAsync = async (app) => {
  const state = app.health
  const who = { serviceId: state.meta.serviceId, version: state.meta.version }
  const serving = JSON.stringify({ status: 'pass', ...who })
  const stopping = JSON.stringify({
    status: 'fail',
    ...who,
    output: `${Reason.SHUTTING_DOWN}: the service is shutting down`,
  })
  app.get(
    '/serving',
    {
      schema: {
        summary: "The health service's own readiness: it serves reports",
        description:
          "For the readiness probe of the health service's own pods. 200 while this instance answers (its configuration loaded, listening), whatever its dependencies say, so a failing dependency never takes the report that explains it out of the Service; 503 from the moment shutdown begins. /ready is the platform's readiness, for the platform's load balancers.",
        tags: ['probes'],
        response: {
          200: {
            description: 'This instance serves its reports',
            content: { [HEALTH_JSON]: { schema: { ...servingBody, examples: [JSON.parse(serving)] } } },
          },
          503: {
            description: 'This instance is shutting down',
            content: { [HEALTH_JSON]: { schema: { ...servingBody, examples: [JSON.parse(stopping)] } } },
          },
        },
      },
    },
    (_req, reply) => void (state.shuttingDown ? sendJson(reply, 503, stopping) : sendJson(reply, 200, serving)),
  )
}

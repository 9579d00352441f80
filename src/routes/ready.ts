import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import { postgresPassExample, reportRef, textView, tokenOptional, unauthorized } from './schemas.js'
import { asked, cachedAnswer, HEALTH_JSON, send, sendJson, sendRendered, settle } from './respond.js'
import { Reason } from '../reasons.js'

const query = Type.Object({
  verbose: Type.Optional(Type.String({ description: 'Any value but false or 0: the text view' })),
  fresh: Type.Optional(
    Type.String({
      description: 'Ask for a new probe (still single-flight, at most one per HEALTH_MIN_PROBE_INTERVAL_MS)',
    }),
  ),
})

const readyExample = {
  status: 'pass',
  version: '0.1.0',
  serviceId: 'huntaze-health',
  description: 'Critical dependencies of the Huntaze platform',
  checks: {
    'postgres:responseTime': [postgresPassExample],
  },
}

// Readiness: critical checks only, answered from the cache, 503 as soon as shutdown begins.
export const readyRoutes: FastifyPluginAsync = async (app) => {
  const state = app.health
  const meta = { ...state.meta, description: 'Critical dependencies of the Huntaze platform' }
  const shuttingDown = JSON.stringify({
    status: 'fail',
    version: meta.version,
    serviceId: meta.serviceId,
    description: meta.description,
    output: `${Reason.SHUTTING_DOWN}: the service is shutting down`,
  })
  app.get<{ Querystring: { verbose?: string; fresh?: string } }>(
    '/ready',
    {
      config: { discloses: true },
      schema: {
        summary: 'Readiness: every critical check passes',
        description:
          'For load balancers and readiness probes. Runs only the critical checks, from the cache (stale-while-revalidate), so polling costs the dependencies nothing more. 200 when no critical check fails (pass or warn), 503 otherwise and from the moment shutdown begins.',
        tags: ['probes'],
        security: tokenOptional(),
        querystring: query,
        response: {
          200: {
            description: 'Ready: no critical check fails',
            content: { [HEALTH_JSON]: { schema: reportRef([readyExample]) }, 'text/plain': { schema: textView } },
          },
          503: {
            description: 'Not ready: a critical check fails, or the service is shutting down',
            content: { [HEALTH_JSON]: { schema: reportRef() }, 'text/plain': { schema: textView } },
          },
          401: unauthorized(),
        },
      },
    },
    // not async: a promise per request is measurable on the route load balancers poll
    (req, reply) => {
      if (state.shuttingDown) return void sendJson(reply, 503, shuttingDown)
      const a = asked(req)
      const hit = cachedAnswer(state, 'ready', a)
      if (hit) return sendRendered(reply, hit)
      const got = state.runner.collect(state.criticalNames, { fresh: a.fresh })
      settle(reply, got, (results) => send(state, meta, a, reply, 'ready', 'readiness', results))
    },
  )
}

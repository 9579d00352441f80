import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import {
  badQuerystring,
  errorRef,
  postgresPassExample,
  reportRef,
  serviceParams,
  textView,
  tokenOptional,
  unauthorized,
  unknownCheck,
} from './schemas.js'
import { asked, cachedAnswer, HEALTH_JSON, namedCheck, send, sendRendered, settle } from './respond.js'
import { statusOfOne } from '../engine/aggregate.js'
import { echo, sendError } from '../http-contract.js'

const healthExample = {
  status: 'warn',
  version: '0.1.0',
  serviceId: 'huntaze-health',
  description: 'Health of the Huntaze platform and its dependencies',
  output: 'redis: fail REFUSED',
  since: '2026-11-24T09:57:12.000Z',
  checks: {
    'postgres:responseTime': [{ ...postgresPassExample, details: { serverVersion: '15.20' } }],
    'redis:responseTime': [
      {
        componentId: 'redis',
        componentType: 'datastore',
        status: 'fail',
        time: '2026-11-24T10:00:00.000Z',
        observedValue: 0.9,
        observedUnit: 'ms',
        output: 'connection refused 127.0.0.1:6379',
        tier: 'optional',
        reason: 'REFUSED',
        liveCheck: true,
        expires: '2026-11-24T10:00:05.000Z',
        since: '2026-11-24T09:57:12.000Z',
        observedStatus: 'fail',
        consecutive: 34,
      },
    ],
  },
}

const flags = {
  verbose: Type.Optional(
    Type.String({ description: 'Any value but false or 0: the text view, as with Accept: text/plain' }),
  ),
  fresh: Type.Optional(
    Type.String({
      description:
        'Ask for a new probe instead of the cached result. Concurrent requests share one probe, and a check is never probed more often than HEALTH_MIN_PROBE_INTERVAL_MS. Cache-Control: no-cache does the same.',
    }),
  ),
}

const responses = (what: string) => ({
  200: {
    description: `${what}: pass or warn`,
    content: { [HEALTH_JSON]: { schema: reportRef([healthExample]) }, 'text/plain': { schema: textView } },
  },
  503: {
    description: `${what}: fail`,
    content: { [HEALTH_JSON]: { schema: reportRef() }, 'text/plain': { schema: textView } },
  },
  401: unauthorized(),
})

export const healthRoutes: FastifyPluginAsync = async (app) => {
  const state = app.health
  const known = state.allNames

  app.get<{ Querystring: { verbose?: string; fresh?: string; exclude?: string[] } }>(
    '/health',
    {
      config: { discloses: true },
      schema: {
        summary: 'Every check',
        description:
          'Runs every check in parallel (each from its cache while it is fresh) and aggregates by tier: a failing critical check fails the whole (503); a failing important or optional check, or any warning, is warn (200).',
        tags: ['health'],
        security: tokenOptional(),
        querystring: Type.Object({
          ...flags,
          exclude: Type.Optional(Type.Array(Type.String(), { description: 'A check name to leave out; repeatable' })),
        }),
        response: {
          ...responses('The platform'),
          400: {
            description: 'An unknown check name in exclude',
            content: { 'application/json': { schema: errorRef() } },
          },
        },
      },
    },
    (req, reply) => {
      const exclude = req.query.exclude
      const a = asked(req)
      if (!exclude) {
        const hit = cachedAnswer(state, 'health', a)
        if (hit) return sendRendered(reply, hit)
      }
      let names = known
      let key = 'health'
      if (exclude && exclude.length > 0) {
        const unknown = exclude.filter((n) => !state.runner.has(n))
        if (unknown.length > 0) {
          return sendError(
            reply,
            state,
            400,
            `unknown check name in exclude: ${echo(state.scrub, unknown.join(', '))}`,
            {
              known,
            },
          )
        }
        names = known.filter((n) => !exclude.includes(n))
        key = `health-${[...exclude].sort().join(',')}`
      }
      const got = state.runner.collect(names, { fresh: a.fresh })
      settle(reply, got, (results) => send(state, state.meta, a, reply, key, 'health', results))
    },
  )

  app.get<{ Params: { service: string }; Querystring: { verbose?: string; fresh?: string } }>(
    '/health/:service',
    {
      config: { discloses: true },
      schema: {
        summary: 'One check',
        description: 'Runs one check; its own status decides the code: fail is 503, pass, warn and skipped are 200.',
        tags: ['health'],
        security: tokenOptional(),
        params: serviceParams(known),
        querystring: Type.Object(flags),
        response: { ...responses('The check'), 400: badQuerystring(), 404: unknownCheck() },
      },
      // the handler turns an unknown name into the 404 with the list of names; a bad querystring stays a 400
      attachValidation: true,
    },
    (req, reply) => {
      const name = namedCheck(req, reply, state)
      if (name === undefined) return
      const a = asked(req)
      const hit = cachedAnswer(state, `one-${name}`, a)
      if (hit) return sendRendered(reply, hit)
      const got = state.runner.get(name, { fresh: a.fresh })
      settle(reply, got, (result) =>
        send(state, state.meta, a, reply, `one-${name}`, name, [result], statusOfOne(result)),
      )
    },
  )
}

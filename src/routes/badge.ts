import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { aggregate } from '../engine/aggregate.js'
import type { CheckStatus } from '../engine/status.js'
import { renderBadge } from './badge-svg.js'
import { looks } from './looks.js'
import { namedCheck, settle } from './respond.js'
import { serviceParams, unknownCheck } from './schemas.js'

const SVG_TYPE = 'image/svg+xml; charset=utf-8'

const badgeResponse = (what: string) => ({
  description: `${what} as a badge; always 200, so that the image shows whatever the status`,
  content: {
    'image/svg+xml': {
      schema: Type.String({
        description: 'An SVG image, 20 px high: the label, then passing, warning, failing or skipped',
      }),
    },
  },
})

function sendBadge(reply: FastifyReply, label: string, status: CheckStatus): void {
  void reply.code(200).header('content-type', SVG_TYPE).send(renderBadge(label, looks[status]))
}

// Badges for wikis and READMEs. They read the results through the same cache rules as /health and
// /health/{service}: a badge costs the dependencies no more than a monitor's poll.
export const badgeRoutes: FastifyPluginAsync = async (app) => {
  const state = app.health
  const known = state.allNames

  app.get(
    '/badge.svg',
    {
      schema: {
        summary: 'The whole platform as a badge',
        description:
          'The status of /health (pass, warn or fail) in a shields.io-style badge labelled HEALTH_SERVICE_ID.',
        tags: ['people'],
        response: { 200: badgeResponse('The status of /health') },
      },
    },
    (_req, reply) =>
      settle(reply, state.runner.collect(known), (results) =>
        sendBadge(reply, state.meta.serviceId, aggregate(results)),
      ),
  )

  app.get<{ Params: { service: string } }>(
    '/badge/:service.svg',
    {
      schema: {
        summary: 'One check as a badge',
        description: "The check's status (skipped included) in a shields.io-style badge labelled with its name.",
        tags: ['people'],
        params: serviceParams(known),
        response: { 200: badgeResponse("The check's status"), 404: unknownCheck() },
      },
      // the handler turns an unknown name into the 404 with the list of names
      attachValidation: true,
    },
    (req, reply) => {
      const name = namedCheck(req, reply, state)
      if (name === undefined) return
      settle(reply, state.runner.get(name), (result) => sendBadge(reply, name, result.status))
    },
  )
}

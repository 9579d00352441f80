import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import { MINUTES_KEPT, TRANSITIONS_KEPT, type CheckHistory, type Transition } from '../engine/history.js'
import type { CheckResult } from '../engine/result.js'
import { contractHeaders, PLAIN_JSON } from '../http-contract.js'
import type { HealthState } from '../state.js'
import type { Disclosure } from './access.js'
import { namedCheck } from './respond.js'
import { badQuerystring, reason, serviceParams, tokenOptional, unauthorized, unknownCheck } from './schemas.js'

// how many of the last minutes an answer lists when ?minutes does not say
const MINUTES_LISTED = 60

const statuses = () => [Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail'), Type.Literal('skipped')]
const status = (description: string) => Type.Union(statuses(), { description })
const statusOrNull = (description: string) => Type.Union([...statuses(), Type.Null()], { description })
const instant = (description: string) => Type.String({ format: 'date-time', description })
const share = (window: string) =>
  Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
    description: `Over the last ${window}: the share of results whose status is not fail, among those that are not skipped; null when there is none`,
  })
const count = (what: string) => Type.Integer({ minimum: 0, description: `Results whose reported status was ${what}` })

const transition = Type.Object(
  {
    at: instant('When the change was reported'),
    from: statusOrNull('The reported status before; null for the first result since start'),
    to: status('The reported status after'),
    reason: Type.Optional(reason),
    output: Type.Optional(
      Type.String({ description: 'The output of the result that made the change, cut to 300 characters' }),
    ),
    since: instant('When the new status began: earlier than at while damping waited for probes to agree'),
  },
  { additionalProperties: false },
)

const minute = Type.Object(
  {
    start: instant("The minute's first instant"),
    pass: count('pass'),
    warn: count('warn'),
    fail: count('fail'),
    skipped: count('skipped'),
    slowestMs: Type.Number({ minimum: 0, description: 'The longest time a probe of the minute took' }),
  },
  { additionalProperties: false },
)

const historyExample = {
  check: 'redis',
  tier: 'optional',
  status: 'pass',
  since: '2026-11-24T10:04:05.000Z',
  observedStatus: 'pass',
  consecutive: 18,
  uptime: {
    '1h': 0.8861,
    '24h': 0.9395,
  },
  transitions: [
    {
      at: '2026-11-24T10:04:05.000Z',
      from: 'fail',
      to: 'pass',
      since: '2026-11-24T10:04:05.000Z',
    },
    {
      at: '2026-11-24T09:57:12.000Z',
      from: 'pass',
      to: 'fail',
      reason: 'REFUSED',
      output: 'connection refused 127.0.0.1:6379',
      since: '2026-11-24T09:57:12.000Z',
    },
    {
      at: '2026-11-24T08:12:40.000Z',
      from: null,
      to: 'pass',
      since: '2026-11-24T08:12:40.000Z',
    },
  ],
  minutes: [
    {
      start: '2026-11-24T10:05:00.000Z',
      pass: 6,
      warn: 0,
      fail: 0,
      skipped: 0,
      slowestMs: 2.4,
    },
    {
      start: '2026-11-24T10:04:00.000Z',
      pass: 11,
      warn: 0,
      fail: 1,
      skipped: 0,
      slowestMs: 77.1,
    },
    {
      start: '2026-11-24T10:03:00.000Z',
      pass: 0,
      warn: 0,
      fail: 12,
      skipped: 0,
      slowestMs: 78.3,
    },
  ],
}

const historyBody = Type.Object(
  {
    check: Type.String(),
    tier: Type.Union([Type.Literal('critical'), Type.Literal('important'), Type.Literal('optional')]),
    status: statusOrNull('The reported status now; null while the check has no result since start'),
    since: Type.Union([instant('When the reported status began'), Type.Null()]),
    observedStatus: statusOrNull("The last probe's own status"),
    consecutive: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: 'How many consecutive probes, the last included, observed observedStatus',
    }),
    uptime: Type.Object({ '1h': share('60 minutes'), '24h': share('24 hours') }, { additionalProperties: false }),
    transitions: Type.Array(transition, {
      maxItems: TRANSITIONS_KEPT,
      description: `The last ${TRANSITIONS_KEPT} changes of the reported status, newest first`,
    }),
    minutes: Type.Array(minute, {
      maxItems: MINUTES_KEPT,
      description: 'The minutes with results among the last ?minutes ones, newest first',
    }),
    detailsWithheld: Type.Optional(
      Type.Literal(true, {
        description: 'This caller sees no output (HEALTH_DETAILS, HEALTH_AUTH_TOKENS)',
      }),
    ),
  },
  { additionalProperties: false, examples: [historyExample] },
)

const iso = (ms: number) => new Date(ms).toISOString()

// Outputs name hosts and provider messages: a caller that may not see details gets reason codes only.
function shownTransition(t: Transition, disclosure: Disclosure): Record<string, unknown> {
  const out: Record<string, unknown> = { at: iso(t.at), from: t.from, to: t.to }
  if (t.reason) out.reason = t.reason
  if (t.output !== undefined && disclosure === 'full') out.output = t.output
  out.since = iso(t.since)
  return out
}

function renderHistory(
  state: HealthState,
  name: string,
  result: CheckResult | undefined,
  kept: CheckHistory,
  disclosure: Disclosure,
): string {
  const body: Record<string, unknown> = {
    check: name,
    tier: state.runner.definitions.find((d) => d.name === name)!.tier,
    status: result?.status ?? null,
    since: result ? iso(result.since) : null,
    observedStatus: result?.observedStatus ?? null,
    consecutive: result?.consecutive ?? null,
    uptime: kept.uptime,
    transitions: kept.transitions.map((t) => shownTransition(t, disclosure)),
    minutes: kept.minutes.map((m) => ({ ...m, start: iso(m.start) })),
  }
  if (disclosure !== 'full') body.detailsWithheld = true
  return JSON.stringify(body)
}

// A check's history, from memory: it never probes, so a check with no result yet answers an empty history.
export const historyRoutes: FastifyPluginAsync = async (app) => {
  const state = app.health
  app.get<{ Params: { service: string }; Querystring: { minutes?: number } }>(
    '/health/:service/history',
    {
      config: { discloses: true },
      schema: {
        summary: "One check's history",
        description: `Kept in memory since start (lost on restart), never probing: the last ${TRANSITIONS_KEPT} changes of the check's reported status, a count of its results by reported status for each minute of the last 24 hours with the slowest probe, and its uptime over 1 and 24 hours.`,
        tags: ['health'],
        security: tokenOptional(),
        params: serviceParams(state.allNames),
        querystring: Type.Object({
          minutes: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: MINUTES_KEPT,
              default: MINUTES_LISTED,
              description: `How many of the last minutes to list (those without results are left out); ${MINUTES_KEPT} is the whole day`,
            }),
          ),
        }),
        response: {
          200: { description: 'The history', content: { 'application/json': { schema: historyBody } } },
          400: badQuerystring(),
          401: unauthorized(),
          404: unknownCheck(),
        },
      },
      attachValidation: true,
    },
    (req, reply) => {
      const name = namedCheck(req, reply, state)
      if (name === undefined) return
      const kept = state.history.of(name, req.query.minutes ?? MINUTES_LISTED)
      const body = renderHistory(state, name, state.runner.view(name).result, kept, req.disclosure)
      void contractHeaders(reply, state).code(200).type(PLAIN_JSON).send(body)
    },
  )
}

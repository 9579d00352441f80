import { Type } from '@sinclair/typebox'
import { Reason } from '../reasons.js'

const status = Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail')], {
  description: 'pass: healthy; warn: healthy with concerns (HTTP 200); fail: unhealthy (HTTP 503)',
})

export const reason = Type.Union(
  Object.values(Reason).map((r) => Type.Literal(r)),
  { description: 'Why a check is not pass: one code from the catalogue in the README' },
)

const scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])

const finding = Type.Object(
  {
    setting: Type.Optional(Type.String({ description: 'The setting concerned' })),
    problem: Type.Union([Type.Literal('missing'), Type.Literal('malformed'), Type.Literal('invalid')]),
    message: Type.String({ description: 'What is wrong, never the value itself' }),
    severity: Type.Union([Type.Literal('warn'), Type.Literal('fail')]),
  },
  { $id: 'Finding', additionalProperties: false },
)

export const checkEntry = Type.Object(
  {
    componentId: Type.String({ description: 'The check name, or the component measured (a queue name, for instance)' }),
    componentType: Type.String({ description: 'datastore, system or component' }),
    status: Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail'), Type.Literal('skipped')], {
      description: 'skipped: an optional service that is not configured',
    }),
    time: Type.String({ format: 'date-time', description: 'When this result was observed' }),
    observedValue: Type.Optional(scalar),
    observedUnit: Type.Optional(Type.String()),
    output: Type.Optional(Type.String({ description: 'Why the status is not pass, in words an engineer can act on' })),
    tier: Type.Optional(Type.Union([Type.Literal('critical'), Type.Literal('important'), Type.Literal('optional')])),
    reason: Type.Optional(reason),
    liveCheck: Type.Optional(Type.Boolean({ description: 'false when only the settings were checked' })),
    expires: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When the cached result expires; a newer probe runs on the first request after it',
      }),
    ),
    since: Type.Optional(
      Type.String({
        format: 'date-time',
        description: "When the check's reported status began (lost on restart: the first probe since start begins it)",
      }),
    ),
    observedStatus: Type.Optional(
      Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail'), Type.Literal('skipped')], {
        description:
          "The last probe's own status. It differs from status while damping (HEALTH_FAIL_AFTER, HEALTH_RECOVER_AFTER, HEALTH_DAMPING) waits for more probes to agree",
      }),
    ),
    consecutive: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'How many consecutive probes, the last included, observed observedStatus',
      }),
    ),
    findings: Type.Optional(Type.Array(Type.Ref(finding), { description: 'Missing or malformed settings' })),
    details: Type.Optional(
      Type.Record(Type.String(), scalar, { description: 'Facts the probe learned (server version, account id, ...)' }),
    ),
  },
  { $id: 'CheckEntry', additionalProperties: false },
)

export const healthReport = Type.Object(
  {
    status,
    version: Type.Optional(Type.String({ description: 'Version of the health service' })),
    serviceId: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    output: Type.Optional(Type.String({ description: 'The checks that are not pass, with their reason codes' })),
    since: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'While the whole fails or warns: since when, that is since the earliest of the checks that make it fail (or warn) has had its status',
      }),
    ),
    detailsWithheld: Type.Optional(
      Type.Literal(true, {
        description:
          'This caller sees statuses and reason codes only: every output, findings, details and measurement is withheld (HEALTH_DETAILS, HEALTH_AUTH_TOKENS)',
      }),
    ),
    checks: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z0-9-]+:[A-Za-z]+$' }), Type.Array(Type.Ref(checkEntry)), {
        description: 'Keyed "<check name>:<measurement>"; every check has "<name>:responseTime"',
      }),
    ),
  },
  { $id: 'HealthReport', additionalProperties: false },
)

export const errorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
    known: Type.Optional(Type.Array(Type.String(), { description: 'The valid check names' })),
  },
  { $id: 'Error', additionalProperties: false },
)

export const sharedSchemas = [finding, checkEntry, healthReport, errorBody]

export const reportRef = (examples?: unknown[]) => Type.Ref(healthReport, examples ? { examples } : {})
export const errorRef = () => Type.Ref(errorBody)

// The probe routes take a bearer token, or none: without one, details are withheld instead of refused.
export const BEARER_SCHEME = 'healthToken'
// fresh objects for each route, so the generated YAML repeats them instead of aliasing them
export const tokenOptional = (): Record<string, string[]>[] => [{}, { [BEARER_SCHEME]: [] }]

export const unauthorized = () => ({
  description:
    'An Authorization header that is not "Bearer <one of HEALTH_AUTH_TOKENS>", whatever HEALTH_DETAILS says; send none for statuses and reason codes only',
  headers: {
    'WWW-Authenticate': Type.String({ description: 'The scheme to use', examples: ['Bearer realm="huntaze-health"'] }),
  },
  content: { 'application/json': { schema: errorRef() } },
})

// The check a /health/{service} route names: one of the registered checks.
export const serviceParams = (known: readonly string[]) =>
  Type.Object({ service: Type.String({ enum: [...known], description: 'A check name' }) })

export const badQuerystring = () => ({
  description: 'A malformed querystring (a flag given twice, for instance)',
  content: { 'application/json': { schema: errorRef() } },
})

export const unknownCheck = () => ({
  description: 'No check has that name; the body lists the known names',
  content: { 'application/json': { schema: errorRef() } },
})

export const textView = Type.String({
  description: 'Text view (?verbose or Accept: text/plain): one aligned line a check, then a summary line',
})

// A passing PostgreSQL entry, the example both probe routes' documentation shows
export const postgresPassExample = {
  componentId: 'postgres',
  componentType: 'datastore',
  status: 'pass',
  time: '2026-11-24T10:00:00.000Z',
  observedValue: 1.8,
  observedUnit: 'ms',
  tier: 'critical',
  liveCheck: true,
  expires: '2026-11-24T10:00:05.000Z',
  since: '2026-11-24T08:12:40.000Z',
  observedStatus: 'pass',
  consecutive: 1432,
}

import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { checks } from '../../src/checks/index.js'
import type { CheckResult } from '../../src/engine/result.js'
import { show, WITHHELD_LINE } from '../../src/routes/render.js'
import { appWith, bearerToken, type Captured } from '../support/helpers.js'
import { ACCOUNT, awsEnv, startAwsFake } from '../support/fakes/aws-wire.js'
import { Reason } from '../../src/reasons.js'
import { validateBody } from '../support/contract.js'

// The static keys of awsEnv are all the SDK may use: nothing of this machine's own AWS setup.
for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k]
process.env.AWS_EC2_METADATA_DISABLED = 'true'

const T1 = bearerToken()
const T2 = bearerToken()
const DB = 'postgres://postgres@127.0.0.1:5432/test'
const pick = (...names: string[]) => checks.filter((c) => names.includes(c.name))

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

interface Setup {
  app: FastifyInstance
  logs: Captured
  redisPort: number
}

// PostgreSQL (host, port, database, version), Redis refused (host, port, message), AWS (account id, ARN) and a
// malformed JWT_SECRET (a finding): every kind of detail there is to withhold.
async function setup(t: Test, env: Record<string, string | undefined>): Promise<Setup> {
  const fake = await startAwsFake('query', () => ({
    body: `<Arn>arn:aws:iam::${ACCOUNT}:user/health-test</Arn><UserId>AIDAFAKEUSERIDFORTESTS</UserId><Account>${ACCOUNT}</Account>`,
  }))
  t.teardown(() => fake.close())
  const redisPort = await closedPort()
  const { app, logs } = await appWith(
    awsEnv('AWS_ENDPOINT_URL_STS', fake.url, {
      DATABASE_URL: DB,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      JWT_SECRET: 'too-short',
      ...env,
    }),
    { checks: pick('postgres', 'redis', 'aws', 'auth') },
  )
  t.teardown(() => app.close())
  return { app, logs, redisPort }
}

// what an entry keeps without a token: statuses, reason codes and timings
const WITHHELD_KEYS = [
  'componentId',
  'componentType',
  'status',
  'observedStatus',
  'consecutive',
  'since',
  'time',
  'observedValue',
  'observedUnit',
  'tier',
  'reason',
  'liveCheck',
  'expires',
]

const routes = ['/health', '/ready', '/health/postgres', '/health/redis', '/health/aws', '/health/auth'] as const
const views = ['json', 'text'] as const

const get = (app: FastifyInstance, route: string, view: 'json' | 'text', authorization?: string) =>
  app.inject({
    url: view === 'text' ? `${route}?verbose` : route,
    headers: authorization === undefined ? {} : { authorization },
  })

// What each route shows an authorized caller: the JSON view has every detail, the text view the outputs only.
function secretsOf(route: string, view: 'json' | 'text', s: { redisPort: number; pgVersion: string }): string[] {
  const pg = view === 'json' ? [s.pgVersion, '127.0.0.1:5432/test'] : []
  const redis = [`127.0.0.1:${s.redisPort}`, 'connection refused']
  const aws = [ACCOUNT, `arn:aws:iam::${ACCOUNT}:user/health-test`]
  const auth = ['JWT_SECRET is malformed']
  return {
    '/health': [...pg, ...redis, ...aws, ...auth],
    '/ready': [...pg, ...aws, ...auth],
    '/health/postgres': pg,
    '/health/redis': redis,
    '/health/aws': aws,
    '/health/auth': auth,
  }[route]!
}

// Nothing of any of them, whatever the route or view, nor words that only an output or a finding has.
const neverAnonymous = (s: { redisPort: number; pgVersion: string }) => [
  s.pgVersion,
  'Debian',
  '127.0.0.1',
  ':5432',
  '/test',
  String(s.redisPort),
  'refused',
  ACCOUNT,
  'arn:',
  'health-test',
  'JWT_SECRET',
  'malformed',
  'serverVersion',
  '"details"',
  '"findings"',
]

async function pgVersionOf(app: FastifyInstance, authorization?: string): Promise<string> {
  const res = await get(app, '/health/postgres', 'json', authorization)
  const body = res.json<{ checks: Record<string, { details?: { serverVersion?: string } }[]> }>()
  const v = body.checks['postgres:responseTime'][0].details?.serverVersion
  if (typeof v !== 'string' || v.length < 2) throw new Error(`no PostgreSQL version in ${res.body}`)
  return v
}

function assertFull(t: Test, route: string, view: 'json' | 'text', res: Awaited<ReturnType<typeof get>>, s: string[]) {
  t.not(res.statusCode, 401, `${route} ${view}: not refused`)
  t.notMatch(res.body, 'detailsWithheld', `${route} ${view}: nothing said withheld`)
  t.notOk(res.body.includes(WITHHELD_LINE), `${route} ${view}: no withheld line`)
  for (const secret of s) t.ok(res.body.includes(secret), `${route} ${view} shows ${secret}`)
}

function assertWithheld(
  t: Test,
  route: string,
  view: 'json' | 'text',
  res: Awaited<ReturnType<typeof get>>,
  forbidden: string[],
) {
  t.not(res.statusCode, 401, `${route} ${view}: not refused`)
  for (const word of forbidden) t.notOk(res.body.includes(word), `${route} ${view} withholds ${word}`)
  if (view === 'json') {
    const body = res.json<{ detailsWithheld?: boolean; checks: Record<string, Record<string, unknown>[]> }>()
    t.equal(body.detailsWithheld, true, `${route}: says the details were withheld`)
    const path = route.startsWith('/health/') ? '/health/{service}' : route
    t.same(validateBody(path, res.statusCode, String(res.headers['content-type']), body), [], `${route}: per contract`)
    for (const [key, list] of Object.entries(body.checks)) {
      t.match(key, /:responseTime$/, `${route}: no measurement but responseTime (${key})`)
      for (const e of list)
        t.same(
          Object.keys(e).filter((k) => !WITHHELD_KEYS.includes(k)),
          [],
          `${route} ${key}: statuses, reason codes and timings only`,
        )
    }
  } else {
    const lines = res.body.trimEnd().split('\n')
    t.equal(lines.at(-2), WITHHELD_LINE, `${route}: the text view says the details were withheld`)
    t.match(lines.at(-1), /^(health|readiness|[a-z-]+) (passed|failed)/, `${route}: the summary line stays last`)
  }
}

function assertRejected(t: Test, what: string, res: Awaited<ReturnType<typeof get>>, path: string) {
  t.equal(res.statusCode, 401, `${what}: 401`)
  t.equal(res.headers['www-authenticate'], 'Bearer realm="huntaze-health"', `${what}: says how to authenticate`)
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.headers.vary, /Authorization/)
  const body = res.json<{ statusCode: number; error: string; message: string }>()
  t.same({ statusCode: body.statusCode, error: body.error }, { statusCode: 401, error: 'Unauthorized' })
  t.same(validateBody(path, 401, String(res.headers['content-type']), body), [], `${what}: per contract`)
  for (const token of [T1, T2]) t.notOk(res.body.includes(token), `${what}: no token in the answer`)
}

const wrong = {
  'a wrong token of the same length': `Bearer ${T1.slice(0, -1)}X`,
  'a token of another length': `Bearer ${T1}0`,
  'a Basic header': `Basic ${Buffer.from(`user:${T1}`).toString('base64')}`,
  'Bearer with nothing': 'Bearer',
  'Bearer and a blank': 'Bearer ',
  'an empty header': '',
  'two tokens': `Bearer ${T1} ${T2}`,
  'the token without a scheme': T1,
}

const callers = (tokens: boolean) => ({
  // authorized callers first: the anonymous ones after them would get their cached bytes if the cache mixed them
  ...(tokens
    ? { 'the first token': `Bearer ${T1}`, 'the second token': `Bearer ${T2}`, 'a lower-case scheme': `bearer ${T2}` }
    : {}),
  anonymous: undefined,
})

t.test('HEALTH_DETAILS=authorized (the default), two tokens for rotation', async (t) => {
  const s = await setup(t, { HEALTH_DETAILS: undefined, HEALTH_AUTH_TOKENS: ` ${T1}, ${T2} ` })
  const pgVersion = await pgVersionOf(s.app, `Bearer ${T1}`)
  const known = { redisPort: s.redisPort, pgVersion }
  for (const route of routes)
    for (const view of views) {
      for (const [who, header] of Object.entries(callers(true))) {
        const res = await get(s.app, route, view, header)
        t.match(res.headers.vary, /Authorization/, `${route} ${view} ${who}: varies by Authorization`)
        if (header === undefined) assertWithheld(t, route, view, res, neverAnonymous(known))
        else assertFull(t, route, view, res, secretsOf(route, view, known))
      }
      for (const [what, header] of Object.entries(wrong))
        assertRejected(
          t,
          `${route} ${view}, ${what}`,
          await get(s.app, route, view, header),
          route.startsWith('/health/') ? '/health/{service}' : route,
        )
    }
  t.notMatch(s.logs.text(), 'HEALTH_AUTH_TOKENS', 'no warning: tokens are configured')
  for (const token of [T1, T2]) t.notOk(s.logs.text().includes(token), 'no token in the logs')
})

t.test('HEALTH_DETAILS=authorized and no token: nobody sees the details, and one warning says how to', async (t) => {
  const s = await setup(t, { HEALTH_DETAILS: 'authorized' })
  const known = { redisPort: s.redisPort, pgVersion: await pgVersionOfAlways(t) }
  for (const route of routes)
    for (const view of views) {
      assertWithheld(t, route, view, await get(s.app, route, view), neverAnonymous(known))
      assertRejected(
        t,
        `${route} ${view}, a token`,
        await get(s.app, route, view, `Bearer ${T1}`),
        route.startsWith('/health/') ? '/health/{service}' : route,
      )
    }
  const warnings = s.logs.lines.filter((l) => l.includes('no HEALTH_AUTH_TOKENS'))
  t.equal(warnings.length, 1, 'one warning at start')
  t.match(warnings[0], /"level":40/)
  t.match(warnings[0], /Authorization: Bearer/)
})

t.test('HEALTH_DETAILS=never withholds from every caller, a valid token included', async (t) => {
  const s = await setup(t, { HEALTH_DETAILS: 'never', HEALTH_AUTH_TOKENS: `${T1},${T2}` })
  const known = { redisPort: s.redisPort, pgVersion: await pgVersionOfAlways(t) }
  for (const route of routes)
    for (const view of views) {
      for (const header of [undefined, `Bearer ${T1}`, `Bearer ${T2}`])
        assertWithheld(t, route, view, await get(s.app, route, view, header), neverAnonymous(known))
      for (const [what, header] of Object.entries(wrong))
        assertRejected(
          t,
          `${route} ${view}, ${what}`,
          await get(s.app, route, view, header),
          route.startsWith('/health/') ? '/health/{service}' : route,
        )
    }
  t.notMatch(s.logs.text(), 'no HEALTH_AUTH_TOKENS')
})

// The version this PostgreSQL reports, to look for it where it must not be.
async function pgVersionOfAlways(t: Test): Promise<string> {
  const s = await setup(t, { HEALTH_DETAILS: 'always' })
  return pgVersionOf(s.app)
}

t.test('HEALTH_DETAILS=always shows every caller the details, yet a wrong header is still a 401', async (t) => {
  const s = await setup(t, { HEALTH_DETAILS: 'always', HEALTH_AUTH_TOKENS: `${T1},${T2}` })
  const known = { redisPort: s.redisPort, pgVersion: await pgVersionOf(s.app) }
  for (const route of routes)
    for (const view of views) {
      for (const header of [undefined, `Bearer ${T1}`, `Bearer ${T2}`])
        assertFull(t, route, view, await get(s.app, route, view, header), secretsOf(route, view, known))
      for (const [what, header] of Object.entries(wrong))
        assertRejected(
          t,
          `${route} ${view}, ${what}`,
          await get(s.app, route, view, header),
          route.startsWith('/health/') ? '/health/{service}' : route,
        )
    }
})

t.test('/live needs nothing, refuses nothing and shows nothing of the dependencies', async (t) => {
  const s = await setup(t, { HEALTH_DETAILS: 'authorized', HEALTH_AUTH_TOKENS: T1 })
  for (const header of [undefined, `Bearer ${T1}`, 'Bearer wrong', 'Basic xyz']) {
    const res = await s.app.inject({ url: '/live', headers: header === undefined ? {} : { authorization: header } })
    t.equal(res.statusCode, 200, `/live with ${header ?? 'no header'}`)
    t.same(Object.keys(res.json<object>()), ['status', 'serviceId', 'version'])
  }
})

t.test('an unknown check name with a wrong token is a 401 first: the token is what the monitor must fix', async (t) => {
  const s = await setup(t, { HEALTH_DETAILS: 'authorized', HEALTH_AUTH_TOKENS: T1 })
  assertRejected(
    t,
    'unknown name, wrong token',
    await get(s.app, '/health/nope', 'json', 'Bearer wrong'),
    '/health/{service}',
  )
  const anonymous = await get(s.app, '/health/nope', 'json')
  t.equal(anonymous.statusCode, 404, 'without a header, the usual 404')
  t.match(anonymous.headers.vary, /Authorization/)
})

t.test('the projection keeps statuses, reason codes and timings, and nothing a later field could add', async (t) => {
  const full: CheckResult & { extra: string } = {
    name: 'sqs',
    tier: 'important',
    componentType: 'component',
    status: 'warn',
    observedStatus: 'fail',
    consecutive: 2,
    since: 0,
    reason: Reason.DEGRADED,
    output: 'queue orders has 5000 messages',
    observedAt: 1,
    durationMs: 2,
    expiresAt: 3,
    liveCheck: true,
    findings: [{ setting: 'AWS_SQS_QUEUE_URLS', problem: 'malformed', message: 'bad', severity: 'warn' }],
    details: { accountId: ACCOUNT },
    measurements: [{ measurement: 'backlog', componentId: 'orders', observedValue: 5000, output: 'orders' }],
    extra: 'a field of tomorrow',
  }
  const withheld = show([full], 'withheld')
  t.equal(withheld.withheld, true)
  t.same(withheld.results, [
    {
      name: 'sqs',
      tier: 'important',
      componentType: 'component',
      status: 'warn',
      observedStatus: 'fail',
      consecutive: 2,
      since: 0,
      reason: 'DEGRADED',
      observedAt: 1,
      durationMs: 2,
      expiresAt: 3,
      liveCheck: true,
      findings: [],
      measurements: [],
    },
  ])
  t.notOk('output' in withheld.results[0] && withheld.results[0].output !== undefined)
  const shown = show([full], 'full')
  t.equal(shown.withheld, false)
  t.equal(shown.results[0], full, 'the full view is the result itself')
})

t.test('the examples of docs/responses.md without a token are what the service answers without one', async (t) => {
  const doc = readFileSync(new URL('../../docs/responses.md', import.meta.url), 'utf8')
  const json = /<!-- example:health-anonymous -->\n```json\n([\s\S]*?)\n```/.exec(doc)?.[1]
  const text = /<!-- example:health-anonymous-text -->\n```text\n([\s\S]*?)\n```/.exec(doc)?.[1]
  if (!json || !text) return void t.fail('both examples are there')
  const body = JSON.parse(json) as { status: string; detailsWithheld?: boolean; checks: Record<string, object[]> }
  t.same(validateBody('/health', body.status === 'fail' ? 503 : 200, 'application/health+json', body), [])
  t.equal(body.detailsWithheld, true)
  for (const list of Object.values(body.checks))
    for (const e of list)
      t.same(
        Object.keys(e).filter((k) => !WITHHELD_KEYS.includes(k)),
        [],
      )
  const lines = text.split('\n')
  t.equal(lines.at(-2), WITHHELD_LINE)
  for (const line of lines.slice(0, -2))
    t.match(line, /^\[.\] [a-z-]+ +\S+ +\S+ +\S+ for \d+[smhd][0-9smh]*( +[A-Z_]+)?$/, 'a reason code at most')
})

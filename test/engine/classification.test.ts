import t from 'tap'
import type { CheckResult } from '../../src/engine/result.js'
import type { CheckStatus } from '../../src/engine/status.js'
import { aggregate, httpStatusOf } from '../../src/engine/aggregate.js'
import { CheckError, type Observation } from '../../src/checks/types.js'
import { Reason } from '../../src/reasons.js'
import type { Tier } from '../../src/config.js'
import { appWith } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'
import { logLines, one, runnerWith } from '../support/engine.js'

// How a probe's outcome and the settings' findings become a status, a reason and the overall answer.

function result(tier: Tier, status: CheckStatus, name = `${tier}-${status}`): CheckResult {
  return {
    name,
    tier,
    status,
    observedStatus: status,
    consecutive: 1,
    since: 0,
    componentType: 'component',
    observedAt: 0,
    durationMs: 1,
    expiresAt: 1,
    liveCheck: true,
    findings: [],
    measurements: [],
  }
}

t.test('a thrown CheckError keeps its reason and message', async (t) => {
  for (const reason of [Reason.AUTH_FAILED, Reason.NOT_FOUND, Reason.FORBIDDEN]) {
    const { def } = synthetic(`ce-${reason}`, async () => {
      throw new CheckError(reason, `the dependency said ${reason.toLowerCase()}`)
    })
    const { runner } = runnerWith(t, [def])
    const r = await one(runner, def.name)
    t.equal(r.status, 'fail', reason)
    t.equal(r.reason, reason)
    t.match(r.output, `the dependency said ${reason.toLowerCase()}`)
  }
})

t.test('socket errors map by err.code: ECONNREFUSED is REFUSED, also when wrapped', async (t) => {
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 5,
    })
  const throwers: [string, () => unknown][] = [
    ['plain', refused],
    ['as a cause', () => new Error('fetch failed', { cause: refused() })],
    ['in an AggregateError', () => new AggregateError([refused()], 'all attempts failed')],
  ]
  for (const [what, make] of throwers) {
    const { def } = synthetic(`refused-${what.replace(/\W+/g, '-')}`, async () => {
      throw make()
    })
    const { runner } = runnerWith(t, [def])
    const r = await one(runner, def.name)
    t.equal(r.reason, Reason.REFUSED, what)
    t.match(r.output, /connection refused 127\.0\.0\.1:5/, what)
  }
  const { def } = synthetic('reset', async () => {
    throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
  })
  const { runner } = runnerWith(t, [def])
  t.equal((await one(runner, 'reset')).reason, Reason.CONNECTION_RESET)
})

t.test('an unexpected throw becomes INTERNAL and is logged without secrets', async (t) => {
  const jwt = 'jwt-sentinel-value-0123456789abcdefXYZ'
  const pgPassword = 'pg-password-sentinel'
  const { def } = synthetic('bug', async () => {
    throw new TypeError(`cannot read properties of undefined (near ${jwt} and ${pgPassword})`)
  })
  const { runner, logs } = runnerWith(t, [def], {
    JWT_SECRET: jwt,
    DATABASE_URL: `postgres://app:${pgPassword}@db.internal/huntaze`,
  })
  const r = await one(runner, 'bug')
  t.equal(r.status, 'fail')
  t.equal(r.reason, Reason.INTERNAL)
  t.notMatch(r.output, jwt)
  t.notMatch(r.output, pgPassword)
  await new Promise((r) => setImmediate(r))
  const errors = logLines(logs).filter((l) => l.level === 50)
  t.equal(errors.length, 1, 'one error line')
  t.equal(errors[0]?.check, 'bug')
  t.match(String(errors[0]?.err), /TypeError/, 'with what went wrong')
  t.notMatch(logs.text(), jwt)
  t.notMatch(logs.text(), pgPassword)
})

t.test('expected failures are not logged as errors', async (t) => {
  const { def } = synthetic('expected', async () => {
    throw new CheckError(Reason.AUTH_FAILED, 'rejected')
  })
  const { runner, logs } = runnerWith(t, [def])
  await one(runner, 'expected')
  await new Promise((r) => setImmediate(r))
  t.equal(logLines(logs).filter((l) => l.level === 50).length, 0)
})

t.test('aggregation by tier', async (t) => {
  const table: [string, [Tier, CheckStatus][], 'pass' | 'warn' | 'fail'][] = [
    ['nothing', [], 'pass'],
    [
      'all pass',
      [
        ['critical', 'pass'],
        ['important', 'pass'],
        ['optional', 'pass'],
      ],
      'pass',
    ],
    [
      'critical fail',
      [
        ['critical', 'fail'],
        ['important', 'pass'],
      ],
      'fail',
    ],
    [
      'critical fail after warnings',
      [
        ['important', 'warn'],
        ['optional', 'fail'],
        ['critical', 'fail'],
      ],
      'fail',
    ],
    [
      'important fail',
      [
        ['critical', 'pass'],
        ['important', 'fail'],
      ],
      'warn',
    ],
    [
      'optional fail',
      [
        ['critical', 'pass'],
        ['optional', 'fail'],
      ],
      'warn',
    ],
    ['critical warn', [['critical', 'warn']], 'warn'],
    [
      'important warn',
      [
        ['important', 'warn'],
        ['critical', 'pass'],
      ],
      'warn',
    ],
    ['optional warn', [['optional', 'warn']], 'warn'],
    [
      'skipped changes nothing',
      [
        ['critical', 'pass'],
        ['optional', 'skipped'],
      ],
      'pass',
    ],
    ['only skipped', [['optional', 'skipped']], 'pass'],
    [
      'skipped and a warn',
      [
        ['optional', 'skipped'],
        ['important', 'warn'],
      ],
      'warn',
    ],
  ]
  for (const [what, rows, expected] of table) {
    t.equal(aggregate(rows.map(([tier, status], i) => result(tier, status, `c${i}`))), expected, what)
  }
  t.equal(httpStatusOf('fail'), 503)
  t.equal(httpStatusOf('warn'), 200)
  t.equal(httpStatusOf('pass'), 200)
})

t.test(
  'aggregation through the app: a failing important check is 200 warn, a failing critical one 503 fail',
  async (t) => {
    const down = async (): Promise<Observation> => {
      throw new CheckError(Reason.REFUSED, 'down')
    }
    for (const [tier, code, status] of [
      ['important', 200, 'warn'],
      ['optional', 200, 'warn'],
      ['critical', 503, 'fail'],
    ] as const) {
      // an optional check counts as configured when one of configuredBy is present
      const { def } = synthetic('down', down, { tier, configuredBy: tier === 'optional' ? ['NODE_ENV'] : undefined })
      const { def: up } = synthetic('up', async () => ({}))
      const defs = [def, up]
      const { app } = await appWith({}, { checks: defs })
      const reply = await app.inject({ url: '/health' })
      await app.close()
      t.equal(reply.statusCode, code, tier)
      t.equal(reply.json().status, status, tier)
    }
  },
)

t.test('an optional check that is not configured is skipped without probing', async (t) => {
  const { def, stats } = synthetic('opt', async () => ({}), { tier: 'optional', settings: ['SENTRY_DSN'] })
  const { runner } = runnerWith(t, [def])
  const r = await one(runner, 'opt')
  t.equal(r.status, 'skipped')
  t.equal(r.reason, Reason.NOT_CONFIGURED)
  t.match(r.output, /SENTRY_DSN/, 'says what to set')
  t.equal(stats.started, 0)
  t.equal(runner.probeCount('opt'), 0)
  t.equal(aggregate([r, result('critical', 'pass')]), 'pass')

  const configured = synthetic('opt2', async () => ({}), { tier: 'optional', settings: ['SENTRY_DSN'] })
  const { runner: r2 } = runnerWith(t, [configured.def], { SENTRY_DSN: 'https://pub@o1.ingest.sentry.io/42' })
  t.equal((await one(r2, 'opt2')).status, 'pass', 'configured: probed')
  t.equal(r2.probeCount('opt2'), 1)
})

t.test('a missing setting the check requires is a fail NOT_CONFIGURED, without probing', async (t) => {
  const { def, stats } = synthetic('needs-db', async () => ({}), { settings: ['DATABASE_URL', 'DATABASE_HOST'] })
  const { runner } = runnerWith(t, [def])
  const r = await one(runner, 'needs-db')
  t.equal(r.status, 'fail')
  t.equal(r.reason, Reason.NOT_CONFIGURED)
  t.match(r.output, /DATABASE_URL/)
  t.equal(stats.started, 0)
  t.equal(runner.probeCount('needs-db'), 0)
})

t.test('a malformed critical setting whose live probe passes is a warn naming the rule', async (t) => {
  const key = 'f00dfacef00dfacef00dfacef00dface'
  const { def } = synthetic('azure-like', async () => ({}), { settings: ['AZURE_OPENAI_API_KEY'] })
  const { runner } = runnerWith(t, [def], { AZURE_OPENAI_API_KEY: key })
  const r = await one(runner, 'azure-like')
  t.equal(r.status, 'warn')
  t.equal(r.reason, Reason.MISCONFIGURED)
  t.match(r.output, /AZURE_OPENAI_API_KEY/)
  t.match(r.output, /64/, 'names the rule')
  t.notMatch(r.output, key)
  t.notMatch(JSON.stringify(r), key, 'no part of the result carries the key')
  t.equal(r.findings[0]?.severity, 'warn')
  t.equal(runner.probeCount('azure-like'), 1)
})

t.test('a malformed critical setting whose live probe fails is a fail with the probe reason', async (t) => {
  const { def } = synthetic(
    'azure-down',
    async () => {
      throw new CheckError(Reason.AUTH_FAILED, 'key rejected')
    },
    { settings: ['AZURE_OPENAI_API_KEY'] },
  )
  const { runner } = runnerWith(t, [def], { AZURE_OPENAI_API_KEY: 'short-key-value' })
  const r = await one(runner, 'azure-down')
  t.equal(r.status, 'fail')
  t.equal(r.reason, Reason.AUTH_FAILED)
  t.match(r.output, /AZURE_OPENAI_API_KEY/)
  t.equal(r.findings[0]?.severity, 'fail')
})

t.test('a malformed critical setting of a check with no live check is a fail', async (t) => {
  const { def } = synthetic('fmt', undefined, { live: false, settings: ['JWT_SECRET'] })
  const { runner } = runnerWith(t, [def], { JWT_SECRET: 'too-short' })
  const r = await one(runner, 'fmt')
  t.equal(r.status, 'fail')
  t.equal(r.reason, Reason.MISCONFIGURED)
  t.match(r.output, /JWT_SECRET.*32/)
  const { runner: good } = runnerWith(t, [def], { JWT_SECRET: 'j'.repeat(40) })
  t.equal((await one(good, 'fmt')).status, 'pass')
})

t.test('a malformed setting of an important tier is a warn', async (t) => {
  const { def } = synthetic('mail', undefined, { live: false, settings: ['FROM_EMAIL'] })
  const { runner } = runnerWith(t, [def], { FROM_EMAIL: 'not-an-address' })
  const r = await one(runner, 'mail')
  t.equal(r.status, 'warn')
  t.equal(r.reason, Reason.MISCONFIGURED)
})

t.test('a finding with its own severity keeps it', async (t) => {
  const { def } = synthetic('validated', undefined, {
    live: false,
    validate: () => [
      { setting: 'STRIPE_SECRET_KEY', problem: 'invalid', severity: 'warn', message: 'a test key in production' },
    ],
  })
  const { runner } = runnerWith(t, [def])
  const r = await one(runner, 'validated')
  t.equal(r.status, 'warn')
  t.match(r.output, /test key in production/)
})

import t from 'tap'
import { judge, needsProbe, preflight } from '../../src/engine/judge.js'
import { Reason } from '../../src/reasons.js'
import type { CheckDefinition } from '../../src/checks/types.js'
import { testConfig } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'

// The judge is pure: these call it directly, with no runner, timer or socket.
const { def: base } = synthetic('pure', async () => ({}))

t.test('an optional check with none of its settings is skipped, and needs no probe', async (t) => {
  const def: CheckDefinition = { ...base, tier: 'optional', settings: ['REDIS_URL'] }
  const pre = preflight(def, testConfig())
  t.equal(needsProbe(def, pre), false)
  const v = judge(def, pre)
  t.equal(v.status, 'skipped')
  t.equal(v.reason, Reason.NOT_CONFIGURED)
  t.equal(v.output, 'not configured (set REDIS_URL to enable)')
})

t.test('a missing required setting blocks the probe and fails NOT_CONFIGURED, naming it once', async (t) => {
  const def: CheckDefinition = { ...base, settings: ['DATABASE_URL'] }
  const pre = preflight(def, testConfig())
  t.same(pre.blocking, ['DATABASE_URL'])
  t.equal(needsProbe(def, pre), false)
  const v = judge(def, pre)
  t.equal(v.status, 'fail')
  t.equal(v.reason, Reason.NOT_CONFIGURED)
  t.equal(v.output, 'cannot check: DATABASE_URL is not set')
})

t.test('a probe failure keeps its reason and message; a 429 is a warning with its wait', async (t) => {
  const pre = preflight(base, testConfig())
  const refused = judge(base, pre, { error: { reason: Reason.REFUSED, message: 'connection refused 127.0.0.1:1' } })
  t.same([refused.status, refused.reason, refused.output], ['fail', Reason.REFUSED, 'connection refused 127.0.0.1:1'])
  const limited = judge(base, pre, {
    error: { reason: Reason.RATE_LIMITED, message: 'slow down', retryAfterMs: 30_000 },
  })
  t.same([limited.status, limited.reason, limited.retryAfterMs], ['warn', Reason.RATE_LIMITED, 30_000])
})

t.test(
  'a malformed critical setting: warn when the live probe passes, fail when it fails or there is none',
  async (t) => {
    // no host name breaks the rule, yet a client can use it (a Unix socket): the live check decides
    const config = testConfig({ DATABASE_URL: 'postgres:///z' })
    const def: CheckDefinition = { ...base, settings: ['DATABASE_URL'] }
    t.same(preflight(def, config).unusable, [])
    const pre = preflight(def, config)
    t.equal(judge(def, pre, { obs: {} }).status, 'warn')
    t.equal(judge(def, pre, { obs: {} }).reason, Reason.MISCONFIGURED)
    t.equal(judge(def, pre, { error: { reason: Reason.TIMEOUT, message: 'timed out' } }).status, 'fail')
    const formatOnly: CheckDefinition = { ...def, live: false, formatOnlyBecause: 'nothing to call', start: undefined }
    const v = judge(formatOnly, preflight(formatOnly, config))
    t.equal(v.status, 'fail')
    t.match(v.output, /format only: nothing to call$/)
  },
)

t.test('a pass carries the observation; a format-only pass says it proved nothing live', async (t) => {
  const pre = preflight(base, testConfig())
  const v = judge(base, pre, {
    obs: { output: 'fine', details: { n: 1 }, measurements: [{ measurement: 'backlog', observedValue: 3 }] },
  })
  t.same([v.status, v.reason, v.output, v.details, v.measurements.length], ['pass', undefined, 'fine', { n: 1 }, 1])
  const formatOnly: CheckDefinition = { ...base, live: false, formatOnlyBecause: 'no API to call', start: undefined }
  t.equal(judge(formatOnly, preflight(formatOnly, testConfig())).output, 'format only: no API to call')
  t.equal(judge(formatOnly, preflight(formatOnly, testConfig())).liveCheck, false)
})

t.test('an observation that warns keeps its own reason, and the findings follow it', async (t) => {
  const def: CheckDefinition = {
    ...base,
    validate: () => [{ problem: 'invalid', message: 'a rule is broken', severity: 'warn' }],
  }
  const v = judge(def, preflight(def, testConfig()), {
    obs: { status: 'warn', reason: Reason.DEGRADED, output: 'slow' },
  })
  t.same([v.status, v.reason, v.output], ['warn', Reason.DEGRADED, 'slow; a rule is broken'])
})

t.test(
  'a required setting no client can use blocks the probe like a missing one, in the words of its finding',
  async (t) => {
    for (const [setting, value] of [
      ['DATABASE_URL', 'mysql://root@127.0.0.1/db'],
      ['REDIS_URL', 'http://127.0.0.1:6379'],
      ['DATABASE_URL', 'not a url'],
    ] as const) {
      const def: CheckDefinition = { ...base, settings: [setting] }
      const pre = preflight(def, testConfig({ [setting]: value }))
      t.equal(needsProbe(def, pre), false, `${setting}=${value} is not probed`)
      const v = judge(def, pre)
      t.equal(v.status, 'fail')
      t.equal(v.reason, Reason.MISCONFIGURED)
      t.match(
        v.output,
        new RegExp(`^${setting} is malformed: expected .*; not probed: no client can be given this value$`),
      )
      t.equal(v.output?.split(`${setting} is malformed`).length, 2, 'the finding is named once')
    }
  },
)

t.test(
  "a check's own optional setting that no client can use blocks it too; a borrowed one is the check's to do without",
  async (t) => {
    const config = testConfig({ AWS_ENDPOINT_URL_CLOUDWATCH: 'not a url', DATABASE_PORT: 'five' })
    const own: CheckDefinition = { ...base, name: 'cloudwatch', settings: ['AWS_ENDPOINT_URL_CLOUDWATCH'] }
    t.equal(needsProbe(own, preflight(own, config)), false)
    const borrowed: CheckDefinition = { ...base, name: 'sqs', settings: ['AWS_ENDPOINT_URL_CLOUDWATCH'] }
    t.equal(needsProbe(borrowed, preflight(borrowed, config)), true)
    const pg: CheckDefinition = { ...base, name: 'postgres', settings: ['DATABASE_PORT'] }
    t.match(judge(pg, preflight(pg, config)).output, /^DATABASE_PORT is malformed: expected a port number/)
  },
)

t.test('a breach the provider may accept is still left to the live check', async (t) => {
  // http where https is expected: the client can use it
  const def: CheckDefinition = { ...base, name: 'upstash', settings: ['UPSTASH_REDIS_REST_URL'] }
  const pre = preflight(def, testConfig({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' }))
  t.equal(needsProbe(def, pre), true)
  t.equal(judge(def, pre, { obs: {} }).status, 'warn')
})

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
    const config = testConfig({ DATABASE_URL: 'mysql://x@y/z' })
    const def: CheckDefinition = { ...base, settings: ['DATABASE_URL'] }
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

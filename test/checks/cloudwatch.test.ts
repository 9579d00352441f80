import t, { type Test } from 'tap'
import cloudwatchCheck from '../../src/checks/cloudwatch.js'
import { appWith } from '../support/helpers.js'
import { awsEnv, errors, leaks, startAwsFake, type Answer, type AwsRequest } from '../support/fakes/aws-wire.js'
import { assertShapeless, MARGIN_MS, probe } from '../support/probe.js'

async function setup(t: Test, answer: (req: AwsRequest) => Answer, extra: Record<string, string | undefined> = {}) {
  const fake = await startAwsFake('json1.0', answer)
  t.teardown(() => fake.close())
  const { app, logs } = await appWith(awsEnv('AWS_ENDPOINT_URL_CLOUDWATCH', fake.url, extra), {
    checks: [cloudwatchCheck],
  })
  t.teardown(() => app.close())
  return { fake, app, logs }
}

t.test('no alarm firing passes with a count of zero', async (t) => {
  const { fake, app, logs } = await setup(t, () => ({ body: { MetricAlarms: [], CompositeAlarms: [] } }))
  const r = await probe(app, 'cloudwatch')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.output, 'no alarm firing in eu-west-1')
  t.same(
    r.checks['cloudwatch:alarms'].map((m) => [m.observedValue, m.status]),
    [[0, 'pass']],
  )
  t.equal(fake.requests[0].headers['x-amz-target'], 'GraniteServiceVersion20100801.DescribeAlarms')
  const input = JSON.parse(fake.requests[0].body) as Record<string, unknown>
  t.same(input, { StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 })
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('alarms firing are a DEGRADED warning with their names, across pages', async (t) => {
  const { fake, app } = await setup(t, (req) =>
    req.input.NextToken
      ? { body: { MetricAlarms: [], CompositeAlarms: [{ AlarmName: 'health-test-composite', StateValue: 'ALARM' }] } }
      : {
          body: {
            MetricAlarms: [
              { AlarmName: 'health-test-cpu-high', StateValue: 'ALARM' },
              { AlarmName: 'health-test-5xx', StateValue: 'ALARM' },
            ],
            NextToken: 'page-2',
          },
        },
  )
  const r = await probe(app, 'cloudwatch')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'DEGRADED')
  t.equal(r.entry.output, '3 alarms firing in eu-west-1: health-test-cpu-high, health-test-5xx, health-test-composite')
  t.same(
    r.checks['cloudwatch:alarms'].map((m) => [m.observedValue, m.observedUnit, m.status]),
    [[3, 'alarms', 'warn']],
  )
  t.equal(fake.requests.length, 2)
})

t.test('pagination is bounded: a token that never ends stops after five pages', async (t) => {
  let n = 0
  const { fake, app } = await setup(t, () => ({
    body: { MetricAlarms: [{ AlarmName: `health-test-alarm-${++n}` }], NextToken: `page-${n + 1}` },
  }))
  const r = await probe(app, 'cloudwatch')
  t.equal(fake.requests.length, 5)
  t.equal(r.entry.status, 'warn')
  t.match(r.entry.output, /^at least 5 alarms firing/)
  t.equal(r.entry.details?.truncated, true)
})

t.test('the check is skipped when AWS_REGION is not set (optional tier)', async (t) => {
  const { fake, app } = await setup(t, () => ({ body: {} }), { AWS_REGION: undefined })
  const r = await probe(app, 'cloudwatch')
  t.equal(r.entry.status, 'skipped')
  t.equal(fake.requests.length, 0)
})

t.test('access denied names cloudwatch:DescribeAlarms', async (t) => {
  const { app, logs } = await setup(t, () => ({ error: errors.accessDenied('json1.0') }))
  const r = await probe(app, 'cloudwatch')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'FORBIDDEN')
  t.match(r.entry.output, 'grant cloudwatch:DescribeAlarms on arn:aws:cloudwatch:eu-west-1:<account>:alarm:*')
  t.same(leaks(r.body, logs.text()), [])
})

t.test('throttling is a RATE_LIMITED warning', async (t) => {
  const { app } = await setup(t, () => ({ error: errors.throttled('json1.0') }))
  const r = await probe(app, 'cloudwatch')
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'RATE_LIMITED')
})

t.test('expired credentials are EXPIRED', async (t) => {
  const { app } = await setup(t, () => ({ error: errors.expired('json1.0') }))
  const r = await probe(app, 'cloudwatch')
  t.equal(r.entry.reason, 'EXPIRED')
})

t.test('a 500 is UPSTREAM_ERROR', async (t) => {
  const { app } = await setup(t, () => ({ error: errors.internal('json1.0') }))
  const r = await probe(app, 'cloudwatch')
  t.equal(r.entry.reason, 'UPSTREAM_ERROR')
})

t.test('a hanging endpoint times out within the limit and its socket is closed', async (t) => {
  const { fake, app, logs } = await setup(t, () => 'hang', { HEALTH_TIMEOUT_MS: '500' })
  const r = await probe(app, 'cloudwatch')
  t.equal(r.entry.reason, 'TIMEOUT')
  t.ok(r.elapsedMs < 500 + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
  await fake.allSocketsClosed()
  t.equal(fake.openSockets(), 0)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a 200 without MetricAlarms, or an alarm without its name, is BAD_RESPONSE naming the endpoint', async (t) => {
  const cases: [string, Answer, RegExp][] = [
    ['no MetricAlarms', { body: { CompositeAlarms: [] } }, /lacks MetricAlarms \(a list\)/],
    ['CompositeAlarms not a list', { body: { MetricAlarms: [], CompositeAlarms: 'none' } }, /lacks CompositeAlarms/],
    ['an alarm without a name', { body: { MetricAlarms: [{ StateValue: 'ALARM' }] } }, /lacks AlarmName of alarm 1/],
  ]
  for (const [name, answer, missing] of cases) {
    await t.test(name, async (t) => {
      const { app } = await setup(t, () => answer)
      const r = await probe(app, 'cloudwatch')
      assertShapeless(t, r.entry, 'CloudWatch DescribeAlarms', 'AWS_ENDPOINT_URL_CLOUDWATCH', missing)
    })
  }
})

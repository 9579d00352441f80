import t, { type Test } from 'tap'
import sqsCheck from '../../src/checks/sqs.js'
import type { Clock } from '../../src/engine/clock.js'
import { ManualClock } from '../support/clock.js'
import { validateBody } from '../support/contract.js'
import { appWith } from '../support/helpers.js'
import {
  ACCOUNT,
  awsEnv,
  errors,
  leaks,
  metricData,
  metricQueries,
  startAwsFake,
  type Answer,
  type AwsRequest,
} from '../support/fakes/aws-wire.js'
import { MARGIN_MS, probe } from '../support/probe.js'

const ORDERS = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/health-test-orders`
const EMAILS = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/health-test-emails`

const attributes = (visible: number, inFlight = 0, delayed = 0): Answer => ({
  body: {
    Attributes: {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
    },
  },
})

// the age of the oldest message per queue name, in seconds; a missing name has no datapoints
const ages =
  (byQueue: Record<string, number>) =>
  (req: AwsRequest): Answer =>
    metricData(req, (q) => (q.dimensions.QueueName in byQueue ? [byQueue[q.dimensions.QueueName]] : []))

const defaultAges = ages({ 'health-test-orders': 42, 'health-test-emails': 3 })

// SQS and CloudWatch each get their own loopback fake, so that no test reaches AWS
async function setup(
  t: Test,
  answer: (req: AwsRequest) => Answer,
  extra: Record<string, string | undefined> = {},
  cwAnswer: (req: AwsRequest) => Answer = defaultAges,
  clock?: Clock,
) {
  const fake = await startAwsFake('json1.0', answer)
  t.teardown(() => fake.close())
  const cw = await startAwsFake('json1.0', cwAnswer)
  t.teardown(() => cw.close())
  const env = awsEnv('AWS_ENDPOINT_URL_SQS', fake.url, {
    AWS_ENDPOINT_URL_CLOUDWATCH: cw.url,
    AWS_SQS_QUEUE_URLS: `${ORDERS}, ${EMAILS}`,
    ...extra,
  })
  const { app, logs } = await appWith(env, { checks: [sqsCheck], ...(clock ? { clock } : {}) })
  t.teardown(() => app.close())
  return { fake, cw, app, logs }
}

t.test('every queue answers: one backlog measurement per queue', async (t) => {
  const { fake, app, logs } = await setup(t, (req) =>
    req.input.QueueUrl === ORDERS ? attributes(7, 2, 1) : attributes(0),
  )
  const r = await probe(app, 'sqs')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.match(r.entry.output, '2 queues answered, 7 messages waiting')
  t.equal(r.entry.details?.backlog, 7)
  const backlog = r.checks['sqs:backlog']
  t.same(
    backlog.map((m) => [m.componentId, m.observedValue, m.observedUnit, m.status, m.output]),
    [
      ['health-test-orders', 7, 'messages', 'pass', '7 waiting, 2 in flight, 1 delayed'],
      ['health-test-emails', 0, 'messages', 'pass', '0 waiting, 0 in flight, 0 delayed'],
    ],
  )
  t.equal(fake.requests.length, 2)
  t.equal(fake.requests[0].headers['x-amz-target'], 'AmazonSQS.GetQueueAttributes')
  t.equal(fake.requests[0].headers['content-type'], 'application/x-amz-json-1.0')
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a backlog over HEALTH_SQS_BACKLOG_WARN is a DEGRADED warning naming the queue', async (t) => {
  const { app } = await setup(t, (req) => (req.input.QueueUrl === ORDERS ? attributes(25) : attributes(3)), {
    HEALTH_SQS_BACKLOG_WARN: '10',
  })
  const r = await probe(app, 'sqs')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'DEGRADED')
  t.match(r.entry.output, 'queue health-test-orders holds 25 messages, over 10 (HEALTH_SQS_BACKLOG_WARN)')
  t.notMatch(r.entry.output, /health-test-emails holds/)
  t.same(
    r.checks['sqs:backlog'].map((m) => m.status),
    ['warn', 'pass'],
  )
})

t.test('one missing queue fails the check and names that queue', async (t) => {
  const { app, logs } = await setup(t, (req) =>
    req.input.QueueUrl === EMAILS
      ? {
          error: {
            status: 400,
            code: 'com.amazonaws.sqs#QueueDoesNotExist',
            message: 'The specified queue does not exist.',
            queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
          },
        }
      : attributes(1),
  )
  const r = await probe(app, 'sqs')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'NOT_FOUND')
  t.match(r.entry.output, 'queue health-test-emails does not exist in eu-west-1 (listed in AWS_SQS_QUEUE_URLS)')
  t.notMatch(r.entry.output, /health-test-orders/)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('access denied names sqs:GetQueueAttributes and the queue ARN', async (t) => {
  const { app, logs } = await setup(t, () => ({ error: errors.accessDenied('json1.0') }))
  const r = await probe(app, 'sqs')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'FORBIDDEN')
  t.match(r.entry.output, `grant sqs:GetQueueAttributes on arn:aws:sqs:eu-west-1:${ACCOUNT}:health-test-orders`)
  t.match(r.entry.output, `arn:aws:sqs:eu-west-1:${ACCOUNT}:health-test-emails`)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('throttling (RequestThrottled) is a RATE_LIMITED warning', async (t) => {
  const { app } = await setup(t, () => ({
    error: {
      status: 400,
      code: 'com.amazonaws.sqs#RequestThrottled',
      message: 'Request is throttled.',
      queryCode: 'RequestThrottled',
    },
  }))
  const r = await probe(app, 'sqs')
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'RATE_LIMITED')
  t.match(r.entry.output, /throttled by SQS/)
})

t.test('expired credentials are EXPIRED', async (t) => {
  const { app, logs } = await setup(t, () => ({ error: errors.expired('json1.0') }))
  const r = await probe(app, 'sqs')
  t.equal(r.entry.reason, 'EXPIRED')
  t.match(r.entry.output, /renew AWS_SESSION_TOKEN/)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a 500 is UPSTREAM_ERROR', async (t) => {
  const { app } = await setup(t, () => ({ error: errors.internal('json1.0') }))
  const r = await probe(app, 'sqs')
  t.equal(r.entry.reason, 'UPSTREAM_ERROR')
  t.match(r.entry.output, /SQS at http:\/\/127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL_SQS\) answered HTTP 500/)
})

t.test('a queue URL of another region is WRONG_REGION and is not called', async (t) => {
  const west = `https://sqs.us-west-2.amazonaws.com/${ACCOUNT}/health-test-west`
  const { fake, cw, app } = await setup(t, () => attributes(0), { AWS_SQS_QUEUE_URLS: west })
  const r = await probe(app, 'sqs')
  t.equal(r.entry.reason, 'WRONG_REGION')
  t.match(r.entry.output, 'queue health-test-west is in us-west-2, not in AWS_REGION eu-west-1')
  t.equal(fake.requests.length, 0)
  t.equal(cw.requests.length, 0, 'nor is CloudWatch asked about it')
})

t.test('hanging queues (and CloudWatch) time out within the limit and every socket is closed', async (t) => {
  const { fake, cw, app, logs } = await setup(
    t,
    () => 'hang',
    { HEALTH_TIMEOUT_MS: '500' },
    () => 'hang',
  )
  const r = await probe(app, 'sqs')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'TIMEOUT')
  t.match(r.entry.output, /no answer within 500ms/)
  t.ok(r.elapsedMs < 500 + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
  t.equal(fake.requests.length, 2)
  t.equal(cw.requests.length, 1)
  await fake.allSocketsClosed()
  await cw.allSocketsClosed()
  t.equal(fake.openSockets() + cw.openSockets(), 0)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('the age of the oldest message comes from one GetMetricData call for every queue', async (t) => {
  const { cw, app, logs } = await setup(t, () => attributes(1))
  const r = await probe(app, 'sqs')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.notOk(r.entry.reason)
  t.match(r.entry.output, '2 queues answered, 2 messages waiting; oldest message 42s old (queue health-test-orders)')
  t.equal(r.entry.details?.oldestMessageAge, 42)
  t.notOk(r.entry.details?.oldestMessageAgeUnavailable)
  t.same(
    r.checks['sqs:oldestMessageAge'].map((m) => [m.componentId, m.observedValue, m.observedUnit, m.status]),
    [
      ['health-test-orders', 42, 's', 'pass'],
      ['health-test-emails', 3, 's', 'pass'],
    ],
  )
  t.match(r.checks['sqs:oldestMessageAge'][0].output, /^oldest message 42s old at \d{4}-\d{2}-\d{2}T/)
  t.equal(cw.requests.length, 1)
  t.equal(cw.requests[0].headers['x-amz-target'], 'GraniteServiceVersion20100801.GetMetricData')
  t.match(
    String(cw.requests[0].headers.authorization),
    /\/eu-west-1\/monitoring\/aws4_request/,
    'signed for CloudWatch in the configured region',
  )
  const req = {
    ...cw.requests[0],
    operation: 'GetMetricData',
    input: JSON.parse(cw.requests[0].body) as Record<string, unknown>,
  }
  t.same(
    metricQueries(req).map((q) => [q.namespace, q.metricName, q.dimensions, q.period, q.stat]),
    [
      ['AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: 'health-test-orders' }, 60, 'Maximum'],
      ['AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: 'health-test-emails' }, 60, 'Maximum'],
    ],
  )
  t.equal(Number(req.input.EndTime) - Number(req.input.StartTime), 600, 'the last ten minutes')
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('an oldest message over HEALTH_SQS_AGE_WARN_S is a DEGRADED warning naming the queue', async (t) => {
  const { app, logs } = await setup(
    t,
    () => attributes(1),
    { HEALTH_SQS_AGE_WARN_S: '300' },
    ages({ 'health-test-orders': 1200, 'health-test-emails': 3 }),
  )
  const r = await probe(app, 'sqs')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'DEGRADED')
  t.match(
    r.entry.output,
    'the oldest message of queue health-test-orders is 1200s old, over 300s (HEALTH_SQS_AGE_WARN_S): its consumers are stuck or too slow',
  )
  t.notMatch(r.entry.output, /queue health-test-emails is/)
  t.same(
    r.checks['sqs:oldestMessageAge'].map((m) => [m.componentId, m.status]),
    [
      ['health-test-orders', 'warn'],
      ['health-test-emails', 'pass'],
    ],
  )
  t.same(
    r.checks['sqs:backlog'].map((m) => m.status),
    ['pass', 'pass'],
    'the backlog is not what warns',
  )
  t.equal(r.entry.details?.oldestMessageAge, 1200)
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('GetMetricData denied leaves the backlog result standing and says which permission to grant', async (t) => {
  const { fake, cw, app, logs } = await setup(
    t,
    () => attributes(4),
    {},
    () => ({ error: errors.accessDenied('json1.0') }),
  )
  const r = await probe(app, 'sqs')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.notOk(r.entry.reason)
  t.match(r.entry.output, '2 queues answered, 8 messages waiting')
  t.match(
    r.entry.output,
    /age of the oldest message unavailable: CloudWatch GetMetricData: access denied \(AccessDenied\): grant cloudwatch:GetMetricData on \* to the IAM user or role of AWS_ACCESS_KEY_ID/,
  )
  t.match(r.entry.details?.oldestMessageAgeUnavailable, /grant cloudwatch:GetMetricData/)
  t.equal(r.entry.details?.oldestMessageAge, null)
  t.notOk(r.checks['sqs:oldestMessageAge'], 'no age measurement when the metric could not be read')
  t.same(
    r.checks['sqs:backlog'].map((m) => m.observedValue),
    [4, 4],
  )
  t.equal(fake.requests.length, 2)
  t.equal(cw.requests.length, 1)
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a backlog warning stands when the age is unavailable', async (t) => {
  const { app } = await setup(
    t,
    (req) => (req.input.QueueUrl === ORDERS ? attributes(25) : attributes(0)),
    { HEALTH_SQS_BACKLOG_WARN: '10' },
    () => ({ error: errors.accessDenied('json1.0') }),
  )
  const r = await probe(app, 'sqs')
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'DEGRADED')
  t.match(
    r.entry.output,
    /queue health-test-orders holds 25 messages.*age of the oldest message unavailable: .*grant cloudwatch:GetMetricData/,
  )
})

t.test('a queue with no datapoints reports a null age and why, the others their age', async (t) => {
  const { app, logs } = await setup(t, () => attributes(0), {}, ages({ 'health-test-orders': 42 }))
  const r = await probe(app, 'sqs')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.notOk(r.entry.reason)
  t.match(r.entry.output, 'oldest message 42s old (queue health-test-orders)')
  t.match(
    r.entry.output,
    'age of the oldest message of queue health-test-emails unavailable: no ApproximateAgeOfOldestMessage datapoint in the last 10 minutes',
  )
  t.same(
    r.checks['sqs:oldestMessageAge'].map((m) => [m.componentId, m.observedValue, m.status]),
    [
      ['health-test-orders', 42, 'pass'],
      ['health-test-emails', null, 'pass'],
    ],
  )
  t.match(r.checks['sqs:oldestMessageAge'][1].output, /not for a new queue or one idle for six hours/)
  const again = await app.inject('/health/sqs')
  t.same(
    validateBody('/health/{service}', again.statusCode, again.headers['content-type'] as string, again.json()),
    [],
    'a null age follows the contract',
  )
  t.equal(r.entry.details?.oldestMessageAge, 42)
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('no datapoints for any queue: the backlog passes and the age is unavailable', async (t) => {
  const { app, logs } = await setup(t, () => attributes(0), {}, ages({}))
  const r = await probe(app, 'sqs')
  t.equal(r.entry.status, 'pass')
  t.notOk(r.entry.reason)
  t.match(
    r.entry.output,
    /^2 queues answered, 0 messages waiting; age of the oldest message of queue health-test-orders unavailable: no ApproximateAgeOfOldestMessage datapoint/,
  )
  t.equal(r.entry.details?.oldestMessageAge, null)
  t.same(
    r.checks['sqs:oldestMessageAge'].map((m) => m.observedValue),
    [null, null],
  )
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('any other CloudWatch failure leaves the backlog result standing and names the failure', async (t) => {
  const cases: [string, Answer, RegExp][] = [
    [
      'a 500',
      { error: errors.internal('json1.0') },
      /CloudWatch at http:\/\/127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL_CLOUDWATCH\) answered HTTP 500/,
    ],
    ['throttling', { error: errors.throttled('json1.0') }, /throttled by CloudWatch/],
    ['expired credentials', { error: errors.expired('json1.0') }, /the credentials have expired/],
    [
      "an answer that is not GetMetricData's",
      { body: 'x', headers: { 'content-type': 'text/html' } },
      /GetMetricData: the answer at http:\/\/127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL_CLOUDWATCH\) lacks MetricDataResults \(a list\)/,
    ],
  ]
  for (const [name, answer, output] of cases) {
    await t.test(name, async (t) => {
      const { app, logs } = await setup(
        t,
        () => attributes(2),
        {},
        () => answer,
      )
      const r = await probe(app, 'sqs')
      t.equal(r.entry.status, 'pass')
      t.notOk(r.entry.reason)
      t.match(
        r.entry.output,
        /^2 queues answered, 4 messages waiting; age of the oldest message unavailable: CloudWatch GetMetricData/,
      )
      t.match(r.entry.output, output)
      t.equal(r.entry.details?.oldestMessageAge, null)
      t.ok(r.elapsedMs < 2000 + MARGIN_MS)
      t.same(leaks(r.body, logs.text()), [])
    })
  }
})

t.test(
  'a hanging CloudWatch gives up within its share of the timeout: the backlog still answers in time',
  async (t) => {
    const { cw, app, logs } = await setup(
      t,
      () => attributes(3),
      { HEALTH_TIMEOUT_MS: '500' },
      () => 'hang',
    )
    const r = await probe(app, 'sqs')
    t.equal(r.httpStatus, 200)
    t.equal(r.entry.status, 'pass')
    t.notOk(r.entry.reason)
    t.match(
      r.entry.output,
      /^2 queues answered, 6 messages waiting; age of the oldest message unavailable: CloudWatch GetMetricData gave no answer within \d+ms/,
    )
    // a pass (not TIMEOUT) is what proves the backlog was answered within the timeout; this bounds the whole request
    t.ok(r.elapsedMs < 500 + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
    t.equal(cw.requests.length, 1)
    await cw.allSocketsClosed()
    t.equal(cw.openSockets(), 0)
    t.same(leaks(r.body, logs.text()), [])
  },
)

t.test('a malformed AWS_ENDPOINT_URL_CLOUDWATCH costs the age, not the backlog', async (t) => {
  const { fake, app, logs } = await setup(t, () => attributes(0), { AWS_ENDPOINT_URL_CLOUDWATCH: 'not a url' })
  const r = await probe(app, 'sqs')
  t.equal(r.entry.status, 'warn', 'the malformed setting is a warning finding')
  t.equal(r.entry.reason, 'MISCONFIGURED')
  t.match(
    r.entry.output,
    'age of the oldest message unavailable: the CloudWatch client could not be set up: AWS_ENDPOINT_URL_CLOUDWATCH is not a URL',
  )
  t.match(r.entry.output, /AWS_ENDPOINT_URL_CLOUDWATCH is malformed/)
  t.equal(fake.requests.length, 2)
  t.same(
    r.checks['sqs:backlog'].map((m) => m.observedValue),
    [0, 0],
  )
  t.same(leaks(r.body, logs.text()), [])
})

t.test(
  'a 200 without the attributes asked for is BAD_RESPONSE naming the queue, the attribute and the endpoint',
  async (t) => {
    const { app, logs } = await setup(t, (req) =>
      req.input.QueueUrl === ORDERS
        ? { body: {} }
        : { body: { Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: 'many' } } },
    )
    const r = await probe(app, 'sqs')
    t.equal(r.httpStatus, 503)
    t.equal(r.entry.status, 'fail')
    t.equal(r.entry.reason, 'BAD_RESPONSE')
    t.match(
      r.entry.output,
      /SQS GetQueueAttributes of queue health-test-orders: the answer at http:\/\/127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL_SQS\) lacks Attributes\.ApproximateNumberOfMessages \(a count\), Attributes\.ApproximateNumberOfMessagesNotVisible \(a count\), Attributes\.ApproximateNumberOfMessagesDelayed \(a count\)/,
    )
    t.match(
      r.entry.output,
      /queue health-test-emails: .* lacks Attributes\.ApproximateNumberOfMessagesNotVisible \(a count\), Attributes\.ApproximateNumberOfMessagesDelayed \(a count\):/,
    )
    t.notMatch(
      r.entry.output,
      /health-test-emails: .*Attributes\.ApproximateNumberOfMessages \(/,
      'a count that is there is not named',
    )
    t.same(leaks(r.body, logs.text()), [])
  },
)

t.test('a GetMetricData result missing for a queue costs that age, named, not the backlog', async (t) => {
  const { app } = await setup(
    t,
    () => attributes(1),
    {},
    () => ({ body: { MetricDataResults: [{ Id: 'q0', Values: [5], Timestamps: [Math.floor(Date.now() / 1000)] }] } }),
  )
  const r = await probe(app, 'sqs')
  t.equal(r.entry.status, 'pass')
  t.notOk(r.entry.reason)
  t.match(
    r.entry.output,
    /age of the oldest message unavailable: CloudWatch GetMetricData: the answer at .* \(AWS_ENDPOINT_URL_CLOUDWATCH\) lacks the Values of result q1 \(a list\), the Timestamps of result q1 \(a list\)/,
  )
  t.equal(r.entry.details?.oldestMessageAge, null)
})

t.test(
  'the age is asked of CloudWatch once per HEALTH_THIRD_PARTY_CACHE_TTL_MS; the backlog on every probe',
  async (t) => {
    const clock = new ManualClock()
    let age = 42
    const { fake, cw, app } = await setup(
      t,
      () => attributes(1),
      { HEALTH_THIRD_PARTY_CACHE_TTL_MS: '300000' },
      (req) => metricData(req, () => [age]),
      clock,
    )
    const first = await probe(app, 'sqs')
    t.equal(first.entry.status, 'pass')
    t.equal(first.entry.details?.oldestMessageAge, 42)
    t.equal(first.entry.details?.oldestMessageAgeReadS, 0, 'this probe asked')
    t.notMatch(first.entry.output, /CloudWatch's figure from/)
    t.equal(cw.requests.length, 1)
    t.equal(fake.requests.length, 2)

    age = 99
    // four probes over the next four minutes, each past the backlog's own lifetime
    for (let i = 1; i <= 4; i++) {
      clock.advance(60_000)
      const r = await probe(app, 'sqs', '?fresh')
      t.equal(r.entry.status, 'pass', `probe ${i + 1} passes`)
      t.equal(fake.requests.length, 2 * (i + 1), `probe ${i + 1} asked SQS again`)
      t.equal(r.entry.details?.oldestMessageAge, 42, `probe ${i + 1} reuses the last figure`)
      t.equal(r.entry.details?.oldestMessageAgeReadS, 60 * i, `probe ${i + 1} says how old the figure is`)
      t.match(
        r.entry.output,
        `the age is CloudWatch's figure from ${60 * i}s ago: GetMetricData is asked at most once per 300s (HEALTH_THIRD_PARTY_CACHE_TTL_MS)`,
      )
    }
    t.equal(cw.requests.length, 1, 'GetMetricData was asked once over five probes')

    clock.advance(60_000)
    const later = await probe(app, 'sqs', '?fresh')
    t.equal(cw.requests.length, 2, 'asked again once the lifetime has passed')
    t.equal(later.entry.details?.oldestMessageAge, 99)
    t.equal(later.entry.details?.oldestMessageAgeReadS, 0)
    t.equal(fake.requests.length, 12)
  },
)

t.test('an age request cancelled because a queue failed is not kept: the next probe asks again', async (t) => {
  const clock = new ManualClock()
  let broken = true
  const { cw, app } = await setup(
    t,
    () => (broken ? { error: errors.internal('json1.0') } : attributes(1)),
    {},
    defaultAges,
    clock,
  )
  t.equal((await probe(app, 'sqs')).entry.reason, 'UPSTREAM_ERROR')
  const asked = cw.requests.length
  t.ok(asked <= 1, 'at most the one request the failure cancelled')
  broken = false
  clock.advance(60_000)
  const r = await probe(app, 'sqs', '?fresh')
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.details?.oldestMessageAge, 42)
  t.equal(r.entry.details?.oldestMessageAgeReadS, 0)
  t.equal(cw.requests.length, asked + 1)
})

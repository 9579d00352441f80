import t, { type Test } from 'tap'
import sqsCheck from '../src/checks/sqs.js'
import { appWith } from './helpers.js'
import { ACCOUNT, awsEnv, errors, leaks, probe, startAwsFake, type Answer, type AwsRequest } from './fakes/aws-wire.js'

const ORDERS = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/health-test-orders`
const EMAILS = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/health-test-emails`
const MARGIN_MS = 1500

const attributes = (visible: number, inFlight = 0, delayed = 0): Answer => ({
  body: { Attributes: { ApproximateNumberOfMessages: String(visible), ApproximateNumberOfMessagesNotVisible: String(inFlight), ApproximateNumberOfMessagesDelayed: String(delayed) } },
})

async function setup(t: Test, answer: (req: AwsRequest) => Answer, extra: Record<string, string | undefined> = {}) {
  const fake = await startAwsFake('json1.0', answer)
  t.teardown(() => fake.close())
  const { app, logs } = await appWith(awsEnv('AWS_ENDPOINT_URL_SQS', fake.url, { AWS_SQS_QUEUE_URLS: `${ORDERS}, ${EMAILS}`, ...extra }), { checks: [sqsCheck] })
  t.teardown(() => app.close())
  return { fake, app, logs }
}

t.test('every queue answers: one backlog measurement per queue', async (t) => {
  const { fake, app, logs } = await setup(t, (req) => (req.input.QueueUrl === ORDERS ? attributes(7, 2, 1) : attributes(0)))
  const r = await probe(app, 'sqs')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.match(r.entry.output, '2 queues answered, 7 messages waiting')
  t.equal(r.entry.details?.backlog, 7)
  t.match(r.entry.details?.oldestMessageAge, /CloudWatch metric ApproximateAgeOfOldestMessage/)
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
  const { app } = await setup(t, (req) => (req.input.QueueUrl === ORDERS ? attributes(25) : attributes(3)), { HEALTH_SQS_BACKLOG_WARN: '10' })
  const r = await probe(app, 'sqs')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'DEGRADED')
  t.match(r.entry.output, 'queue health-test-orders holds 25 messages, over 10 (HEALTH_SQS_BACKLOG_WARN)')
  t.notMatch(r.entry.output, /health-test-emails holds/)
  t.same(r.checks['sqs:backlog'].map((m) => m.status), ['warn', 'pass'])
})

t.test('one missing queue fails the check and names that queue', async (t) => {
  const { app, logs } = await setup(t, (req) =>
    req.input.QueueUrl === EMAILS
      ? { error: { status: 400, code: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.', queryCode: 'AWS.SimpleQueueService.NonExistentQueue' } }
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
  const { app } = await setup(t, () => ({ error: { status: 400, code: 'com.amazonaws.sqs#RequestThrottled', message: 'Request is throttled.', queryCode: 'RequestThrottled' } }))
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
  const { fake, app } = await setup(t, () => attributes(0), { AWS_SQS_QUEUE_URLS: west })
  const r = await probe(app, 'sqs')
  t.equal(r.entry.reason, 'WRONG_REGION')
  t.match(r.entry.output, 'queue health-test-west is in us-west-2, not in AWS_REGION eu-west-1')
  t.equal(fake.requests.length, 0)
})

t.test('hanging queues time out within the limit and every socket is closed', async (t) => {
  const { fake, app, logs } = await setup(t, () => 'hang', { HEALTH_TIMEOUT_MS: '500' })
  const r = await probe(app, 'sqs')
  t.equal(r.entry.reason, 'TIMEOUT')
  t.ok(r.elapsedMs < 500 + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
  t.equal(fake.requests.length, 2)
  await fake.allSocketsClosed()
  t.equal(fake.openSockets(), 0)
  t.same(leaks(r.body, logs.text()), [])
})

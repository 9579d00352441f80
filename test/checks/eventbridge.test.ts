import t, { type Test } from 'tap'
import eventbridgeCheck from '../../src/checks/eventbridge.js'
import { appWith } from '../support/helpers.js'
import {
  ACCOUNT,
  awsEnv,
  errors,
  leaks,
  startAwsFake,
  type Answer,
  type AwsRequest,
} from '../support/fakes/aws-wire.js'
import { assertShapeless, MARGIN_MS, probe } from '../support/probe.js'

const BUS = 'health-test-bus'

async function setup(t: Test, answer: (req: AwsRequest) => Answer, extra: Record<string, string | undefined> = {}) {
  const fake = await startAwsFake('json1.1', answer)
  t.teardown(() => fake.close())
  const { app, logs } = await appWith(
    awsEnv('AWS_ENDPOINT_URL_EVENTBRIDGE', fake.url, { AWS_EVENTBRIDGE_BUS: BUS, ...extra }),
    { checks: [eventbridgeCheck] },
  )
  t.teardown(() => app.close())
  return { fake, app, logs }
}

t.test('an existing bus passes and reports its ARN', async (t) => {
  const { fake, app, logs } = await setup(t, (req) => ({
    body: { Name: req.input.Name, Arn: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/${String(req.input.Name)}` },
  }))
  const r = await probe(app, 'eventbridge')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.output, `event bus ${BUS} exists`)
  t.equal(r.entry.details?.arn, `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/${BUS}`)
  t.equal(fake.requests[0].headers['x-amz-target'], 'AWSEvents.DescribeEventBus')
  t.equal(fake.requests[0].headers['content-type'], 'application/x-amz-json-1.1')
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('the bus defaults to "default"', async (t) => {
  const { fake, app } = await setup(
    t,
    (req) => ({
      body: { Name: req.input.Name, Arn: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/${String(req.input.Name)}` },
    }),
    { AWS_EVENTBRIDGE_BUS: undefined },
  )
  const r = await probe(app, 'eventbridge')
  t.equal(r.entry.status, 'pass')
  t.match(fake.requests[0].body, '"Name":"default"')
})

t.test('a missing bus is NOT_FOUND naming AWS_EVENTBRIDGE_BUS', async (t) => {
  const { app, logs } = await setup(t, () => ({
    error: { status: 400, code: 'ResourceNotFoundException', message: `Event bus ${BUS} does not exist.` },
  }))
  const r = await probe(app, 'eventbridge')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'NOT_FOUND')
  t.match(r.entry.output, `event bus ${BUS} does not exist in eu-west-1 (AWS_EVENTBRIDGE_BUS)`)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('access denied names events:DescribeEventBus', async (t) => {
  const { app } = await setup(t, () => ({ error: errors.accessDenied('json1.1') }))
  const r = await probe(app, 'eventbridge')
  t.equal(r.entry.reason, 'FORBIDDEN')
  t.match(r.entry.output, `grant events:DescribeEventBus on arn:aws:events:eu-west-1:<account>:event-bus/${BUS}`)
  t.match(r.entry.output, /AWS says: User: arn:aws:iam::123456789012:user\/health-test is not authorized/)
})

t.test('an unrecognised key is AUTH_FAILED naming AWS_ACCESS_KEY_ID', async (t) => {
  const { app, logs } = await setup(t, () => ({
    error: {
      status: 400,
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    },
  }))
  const r = await probe(app, 'eventbridge')
  t.equal(r.entry.reason, 'AUTH_FAILED')
  t.match(r.entry.output, /check AWS_ACCESS_KEY_ID/)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('throttling is a RATE_LIMITED warning', async (t) => {
  const { app } = await setup(t, () => ({ error: errors.throttled('json1.1') }))
  const r = await probe(app, 'eventbridge')
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'RATE_LIMITED')
})

t.test('expired credentials are EXPIRED', async (t) => {
  const { app } = await setup(t, () => ({ error: errors.expired('json1.1') }))
  const r = await probe(app, 'eventbridge')
  t.equal(r.entry.reason, 'EXPIRED')
})

t.test('a 500 is UPSTREAM_ERROR', async (t) => {
  const { app } = await setup(t, () => ({ error: errors.internal('json1.1') }))
  const r = await probe(app, 'eventbridge')
  t.equal(r.entry.reason, 'UPSTREAM_ERROR')
})

t.test('a hanging endpoint times out within the limit and its socket is closed', async (t) => {
  const { fake, app, logs } = await setup(t, () => 'hang', { HEALTH_TIMEOUT_MS: '500' })
  const r = await probe(app, 'eventbridge')
  t.equal(r.entry.reason, 'TIMEOUT')
  t.ok(r.elapsedMs < 500 + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
  await fake.allSocketsClosed()
  t.equal(fake.openSockets(), 0)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a 200 without the bus Name and Arn is BAD_RESPONSE naming the endpoint and the fields', async (t) => {
  for (const body of [{}, { Name: BUS }]) {
    const { app } = await setup(t, () => ({ body }))
    const r = await probe(app, 'eventbridge')
    assertShapeless(t, r.entry, 'EventBridge DescribeEventBus', 'AWS_ENDPOINT_URL_EVENTBRIDGE', 'Arn (a string)')
    t.equal(/Name \(a string\)/.test(r.entry.output ?? ''), !('Name' in body), 'Name is named only when missing')
  }
})

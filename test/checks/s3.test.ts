import t, { type Test } from 'tap'
import s3Check from '../../src/checks/s3.js'
import { appWith } from '../support/helpers.js'
import { startS3rver } from '../support/fakes/aws-s3.js'
import { awsEnv, errors, KEY_ID, leaks, SECRET, startAwsFake, type Answer } from '../support/fakes/aws-wire.js'
import { MARGIN_MS, probe } from '../support/probe.js'

const BUCKET = 'health-test-media'

async function withApp(t: Test, url: string, extra: Record<string, string | undefined> = {}) {
  const { app, logs } = await appWith(awsEnv('AWS_ENDPOINT_URL_S3', url, { AWS_S3_BUCKET: BUCKET, ...extra }), {
    checks: [s3Check],
  })
  t.teardown(() => app.close())
  return { app, logs }
}

async function withFake(t: Test, answer: () => Answer, extra: Record<string, string | undefined> = {}) {
  const fake = await startAwsFake('rest-xml', () => answer())
  t.teardown(() => fake.close())
  return { fake, ...(await withApp(t, fake.url, extra)) }
}

t.test('s3rver: an existing bucket passes', async (t) => {
  const s3 = await startS3rver([BUCKET], { accessKeyId: KEY_ID, secretAccessKey: SECRET })
  t.teardown(() => s3.close())
  const { app, logs } = await withApp(t, s3.url)
  const r = await probe(app, 's3')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'pass')
  t.match(r.entry.output, `bucket ${BUCKET} is reachable`)
  t.equal(r.entry.details?.bucket, BUCKET)
  t.ok(r.elapsedMs < 2000 + MARGIN_MS)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('s3rver: a missing bucket is NOT_FOUND naming AWS_S3_BUCKET', async (t) => {
  const s3 = await startS3rver(['some-other-bucket'], { accessKeyId: KEY_ID, secretAccessKey: SECRET })
  t.teardown(() => s3.close())
  const { app, logs } = await withApp(t, s3.url)
  const r = await probe(app, 's3')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'NOT_FOUND')
  t.match(r.entry.output, `bucket ${BUCKET} does not exist (AWS_S3_BUCKET): create it or correct the name`)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('s3rver: a key it does not know is refused (403 to HEAD) as FORBIDDEN', async (t) => {
  const s3 = await startS3rver([BUCKET])
  t.teardown(() => s3.close())
  const { app, logs } = await withApp(t, s3.url)
  const r = await probe(app, 's3')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'FORBIDDEN')
  t.match(r.entry.output, `grant s3:ListBucket on arn:aws:s3:::${BUCKET}`)
  t.match(r.entry.output, /rejected credentials look the same: \/health\/aws tells them apart/)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('access denied names the missing permission and the bucket ARN', async (t) => {
  const { fake, app, logs } = await withFake(t, () => ({ error: errors.accessDenied('rest-xml') }))
  const r = await probe(app, 's3')
  t.equal(r.entry.reason, 'FORBIDDEN')
  t.match(r.entry.output, `S3 HeadBucket: access denied`)
  t.match(r.entry.output, `grant s3:ListBucket on arn:aws:s3:::${BUCKET} to the IAM user or role of AWS_ACCESS_KEY_ID`)
  t.equal(fake.requests[0].method, 'HEAD')
  t.equal(fake.requests[0].url, `/${BUCKET}/`, 'path-style addressing with an endpoint override')
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a bucket in another region (301) is WRONG_REGION naming its region', async (t) => {
  const { app, logs } = await withFake(t, () => ({
    error: { status: 301, code: 'PermanentRedirect', headers: { 'x-amz-bucket-region': 'us-west-2' } },
  }))
  const r = await probe(app, 's3')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'WRONG_REGION')
  t.match(
    r.entry.output,
    `bucket ${BUCKET} (AWS_S3_BUCKET) is in us-west-2, not in AWS_REGION eu-west-1: set AWS_REGION=us-west-2`,
  )
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a 400 carrying x-amz-bucket-region is WRONG_REGION too', async (t) => {
  const { app } = await withFake(t, () => ({
    error: { status: 400, code: 'AuthorizationHeaderMalformed', headers: { 'x-amz-bucket-region': 'ap-southeast-2' } },
  }))
  const r = await probe(app, 's3')
  t.equal(r.entry.reason, 'WRONG_REGION')
  t.match(r.entry.output, /is in ap-southeast-2/)
})

t.test('a bodiless 400 (expired session credentials) points at the aws check', async (t) => {
  const { app, logs } = await withFake(t, () => ({ error: { status: 400, code: 'ExpiredToken' } }))
  const r = await probe(app, 's3')
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'AUTH_FAILED')
  t.match(r.entry.output, /expired or malformed session credentials/)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a 500 is UPSTREAM_ERROR', async (t) => {
  const { app } = await withFake(t, () => ({ error: errors.internal('rest-xml') }))
  const r = await probe(app, 's3')
  t.equal(r.entry.reason, 'UPSTREAM_ERROR')
  t.match(r.entry.output, /answered HTTP 500/)
})

t.test('a hanging endpoint times out within the limit and its socket is closed', async (t) => {
  const { fake, app, logs } = await withFake(t, () => 'hang', { HEALTH_TIMEOUT_MS: '500' })
  const r = await probe(app, 's3')
  t.equal(r.entry.reason, 'TIMEOUT')
  t.ok(r.elapsedMs < 500 + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
  await fake.allSocketsClosed()
  t.equal(fake.openSockets(), 0)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('a 200 to HeadBucket without the S3 request id is BAD_RESPONSE naming the endpoint', async (t) => {
  const { app } = await withFake(t, () => ({}))
  const r = await probe(app, 's3')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.reason, 'BAD_RESPONSE')
  t.match(
    r.entry.output,
    /^S3 HeadBucket: the answer at http:\/\/127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL_S3\) lacks the x-amz-request-id header/,
  )
})

t.test('a 200 to HeadBucket with the S3 request id passes', async (t) => {
  const { app } = await withFake(t, () => ({
    headers: { 'x-amz-request-id': 'FAKE1', 'x-amz-bucket-region': 'eu-west-1' },
  }))
  const r = await probe(app, 's3')
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.details?.bucketRegion, 'eu-west-1')
})

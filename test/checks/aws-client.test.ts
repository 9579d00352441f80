import { createRequire } from 'node:module'
import t from 'tap'
import pino from 'pino'
import awsCheck from '../../src/checks/aws.js'
import sesCheck from '../../src/checks/ses.js'
import s3Check from '../../src/checks/s3.js'
import sqsCheck from '../../src/checks/sqs.js'
import eventbridgeCheck from '../../src/checks/eventbridge.js'
import cloudwatchCheck from '../../src/checks/cloudwatch.js'
import { credentialProblem } from '../../src/checks/lib/aws-credentials.js'
import { awsSetup, endpointOf } from '../../src/checks/lib/aws-setup.js'
import { AnswerShape } from '../../src/checks/lib/aws-shape.js'
import { CheckError } from '../../src/checks/types.js'
import { appWith, testConfig } from '../support/helpers.js'
import {
  ACCOUNT,
  KEY_ID,
  REGION,
  SECRET,
  SESSION_TOKEN,
  startAwsFake,
  startShapelessAws,
} from '../support/fakes/aws-wire.js'
import type { Entry } from '../support/probe.js'

const require = createRequire(import.meta.url)
const loadedSdks = () =>
  Object.keys(require.cache)
    .map((p) => /node_modules\/@aws-sdk\/(client-[a-z0-9]+)\//.exec(p)?.[1])
    .filter((n): n is string => Boolean(n))
    .filter((n, i, all) => all.indexOf(n) === i)
    .sort()

const allAws = [awsCheck, sesCheck, s3Check, sqsCheck, eventbridgeCheck, cloudwatchCheck]

// Runs first, while this process has loaded no AWS SDK yet.
t.test('a configuration that does not use a service never loads its SDK', async (t) => {
  t.same(loadedSdks(), [], 'importing the checks loads no SDK')
  const unconfigured = await appWith({}, { checks: allAws })
  t.teardown(() => unconfigured.app.close())
  const res = await unconfigured.app.inject('/health')
  t.equal(res.statusCode, 503)
  t.same(loadedSdks(), [], 'running unconfigured checks loads no SDK')

  const fake = await startAwsFake('query', () => ({
    body: `<Arn>arn:aws:iam::${ACCOUNT}:user/health-test</Arn><Account>${ACCOUNT}</Account>`,
  }))
  t.teardown(() => fake.close())
  const stsOnly = await appWith(
    { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_ENDPOINT_URL_STS: fake.url },
    { checks: [awsCheck, s3Check] },
  )
  t.teardown(() => stsOnly.app.close())
  t.equal((await stsOnly.app.inject('/health/aws')).statusCode, 200)
  t.same(loadedSdks(), ['client-sts'], 'only the SDK of the check that ran')
})

t.test('AWS_ENDPOINT_URL_<SERVICE> wins over AWS_ENDPOINT_URL', async (t) => {
  const both = testConfig({
    AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000',
  }).settings
  t.same(endpointOf(both, 'S3'), { url: 'http://127.0.0.1:9000', setting: 'AWS_ENDPOINT_URL_S3' })
  t.same(endpointOf(both, 'SQS'), { url: 'http://127.0.0.1:4566', setting: 'AWS_ENDPOINT_URL' })
  t.equal(endpointOf(testConfig({}).settings, 'STS'), undefined)
})

const ctxFor = (env: Record<string, string | undefined>) => {
  const config = testConfig(env)
  return { config, log: pino({ level: 'silent' }), timeoutMs: 750, clientTimeoutMs: 750 }
}

t.test('client options: static keys, region, one attempt, path style only for S3 behind an endpoint', async (t) => {
  const env = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
  }
  const s3 = await awsSetup(ctxFor(env), 'S3', 's3')
  t.equal(s3.options.region, REGION)
  t.same(s3.options.credentials, { accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: SESSION_TOKEN })
  t.equal(s3.options.endpoint, 'http://127.0.0.1:4566')
  t.equal(s3.options.forcePathStyle, true)
  t.equal(s3.options.maxAttempts, 1)
  t.equal(s3.credentialsFrom, 'settings')
  const sqs = await awsSetup(ctxFor(env), 'SQS', 'sqs')
  t.equal(sqs.options.forcePathStyle, undefined)
  const s3Aws = await awsSetup(ctxFor({ AWS_REGION: REGION }), 'S3', 's3')
  t.equal(s3Aws.options.forcePathStyle, undefined, 'virtual-hosted buckets on AWS itself')
  t.equal(s3Aws.options.credentials, undefined, 'no keys: the SDK default provider chain')
  t.equal(s3Aws.credentialsFrom, 'provider chain')
  const cn = await awsSetup(ctxFor({ AWS_REGION: 'cn-north-1' }), 'S3', 's3')
  t.equal(cn.partition, 'aws-cn')
})

t.test('half a key pair is refused before any client exists', async (t) => {
  t.match(
    credentialProblem(testConfig({ AWS_ACCESS_KEY_ID: KEY_ID }).settings),
    /AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY/,
  )
  t.match(
    credentialProblem(testConfig({ AWS_SECRET_ACCESS_KEY: SECRET }).settings),
    /AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID/,
  )
  t.equal(credentialProblem(testConfig({}).settings), undefined)
  await t.rejects(awsSetup(ctxFor({ AWS_REGION: REGION, AWS_ACCESS_KEY_ID: KEY_ID }), 'SQS', 'sqs'), CheckError)
})

t.test('other AWS checks report half a key pair as MISCONFIGURED, naming the setting', async (t) => {
  const { app } = await appWith(
    { AWS_REGION: REGION, AWS_SECRET_ACCESS_KEY: SECRET, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    { checks: [eventbridgeCheck] },
  )
  t.teardown(() => app.close())
  const entry = (await app.inject('/health/eventbridge')).json().checks['eventbridge:responseTime'][0]
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'MISCONFIGURED')
  t.match(entry.output, /AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID/)
})

t.test('an endpoint that answers every call 200 with the wrong shape fails every AWS check BAD_RESPONSE', async (t) => {
  const fake = await startShapelessAws()
  t.teardown(() => fake.close())
  const queue = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/health-test-orders`
  const { app } = await appWith(
    {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_ENDPOINT_URL: fake.url,
      AWS_SQS_QUEUE_URLS: queue,
      FROM_EMAIL: 'noreply@health-test.example.com',
    },
    { checks: allAws },
  )
  t.teardown(() => app.close())
  const body = (await app.inject('/health')).json<{ checks: Record<string, Entry[]> }>()
  for (const def of allAws) {
    const entry = body.checks[`${def.name}:responseTime`][0]
    t.equal(entry.status, 'fail', `${def.name} fails`)
    t.equal(entry.reason, 'BAD_RESPONSE', `${def.name} is BAD_RESPONSE`)
    t.match(entry.output, `${fake.url} (AWS_ENDPOINT_URL)`, `${def.name} names the endpoint setting`)
    t.match(entry.output, /lacks /, `${def.name} says what was missing`)
  }
  t.equal((await app.inject('/ready')).statusCode, 503, '/ready is not fooled')
  t.ok(fake.operations().length >= allAws.length, 'every check asked the fake')
})

t.test('with no endpoint set, a BAD_RESPONSE names the region default and the settings that are not set', async (t) => {
  const setup = await awsSetup(ctxFor({ AWS_REGION: REGION }), 'SQS', 'sqs')
  const shape = new AnswerShape(setup, 'GetQueueAttributes')
  shape.count('Attributes.ApproximateNumberOfMessages', undefined)
  t.equal(shape.count('Attributes.ApproximateNumberOfMessagesDelayed', '12'), 12, 'a decimal string is a count')
  t.throws(() => shape.verify(), {
    reason: 'BAD_RESPONSE',
    message:
      'SQS GetQueueAttributes: the answer from the default SQS endpoint of eu-west-1 (AWS_REGION; neither AWS_ENDPOINT_URL_SQS nor AWS_ENDPOINT_URL is set) lacks Attributes.ApproximateNumberOfMessages (a count): is that endpoint SQS, or a proxy or emulator answering in its place?',
  })
  const fine = new AnswerShape(setup, 'GetQueueAttributes')
  fine.string('Name', 'x')
  t.doesNotThrow(() => fine.verify(), 'nothing missing, nothing thrown')
})

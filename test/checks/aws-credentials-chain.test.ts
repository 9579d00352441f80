import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import awsCheck from '../../src/checks/aws.js'
import { appWith } from '../support/helpers.js'
import { ACCOUNT, KEY_ID, leaks, probe, REGION, SECRET, SESSION_TOKEN, startAwsFake } from '../support/fakes/aws-wire.js'

// No keys in the settings: the SDK provider chain supplies them, as an IAM role would; this process's environment stands in for the role.
const empty = mkdtempSync(join(tmpdir(), 'aws-chain-'))
t.teardown(() => rmSync(empty, { recursive: true, force: true }))
for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k]
process.env.AWS_EC2_METADATA_DISABLED = 'true'
process.env.AWS_CONFIG_FILE = join(empty, 'config')
process.env.AWS_SHARED_CREDENTIALS_FILE = join(empty, 'credentials')

function chainCredentials(expiresInS: number | undefined): void {
  process.env.AWS_ACCESS_KEY_ID = 'ASIA' + KEY_ID.slice(4)
  process.env.AWS_SECRET_ACCESS_KEY = SECRET
  process.env.AWS_SESSION_TOKEN = SESSION_TOKEN
  if (expiresInS === undefined) delete process.env.AWS_CREDENTIAL_EXPIRATION
  else process.env.AWS_CREDENTIAL_EXPIRATION = new Date(Date.now() + expiresInS * 1000).toISOString()
}

function noCredentials(): void {
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION']) delete process.env[k]
}

const identityXml = `<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/health-role/i-0fake</Arn><UserId>AROAFAKEROLEID:i-0fake</UserId><Account>${ACCOUNT}</Account>`

async function setup(t: Test) {
  const fake = await startAwsFake('query', () => ({ body: identityXml }))
  t.teardown(() => fake.close())
  const { app, logs } = await appWith({ AWS_REGION: REGION, AWS_ENDPOINT_URL_STS: fake.url }, { checks: [awsCheck] })
  t.teardown(() => app.close())
  return { fake, app, logs }
}

const secretsOf = () => [process.env.AWS_ACCESS_KEY_ID ?? KEY_ID, SECRET, SESSION_TOKEN]

t.test('no credentials anywhere fails with what to set, without calling AWS', async (t) => {
  noCredentials()
  const { fake, app, logs } = await setup(t)
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'NOT_CONFIGURED')
  t.match(r.entry.output, /no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set.*attach an IAM role/)
  t.equal(fake.requests.length, 0)
  t.same(leaks(r.body, logs.text()), [])
})

t.test('provider-chain credentials (the IAM role case) satisfy the check', async (t) => {
  chainCredentials(undefined)
  const { fake, app, logs } = await setup(t)
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'pass')
  t.equal(r.entry.details?.credentials, 'provider chain')
  t.equal(r.entry.details?.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/health-role/i-0fake`)
  t.equal(fake.requests[0].headers['x-amz-security-token'], SESSION_TOKEN)
  t.notOk(secretsOf().some((s) => r.body.includes(s) || logs.text().includes(s)))
})

t.test('credentials that lapse sooner than HEALTH_AWS_EXPIRY_WARN_S and are not renewed warn EXPIRING', async (t) => {
  chainCredentials(600)
  const { app, logs } = await setup(t)
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 200)
  t.equal(r.entry.status, 'warn')
  t.equal(r.entry.reason, 'EXPIRING')
  t.match(r.entry.output, /the credentials expire in 10m .*nothing renews them/)
  t.ok(Number(r.entry.details?.expiresInS) > 500 && Number(r.entry.details?.expiresInS) <= 600)
  t.equal(r.entry.details?.renewedBySdk, false)
  t.notOk(secretsOf().some((s) => r.body.includes(s) || logs.text().includes(s)))
})

t.test('credentials with hours left pass and report the time left', async (t) => {
  chainCredentials(3 * 3600)
  const { app } = await setup(t)
  const r = await probe(app, 'aws')
  t.equal(r.entry.status, 'pass')
  t.match(r.entry.output, /expiring in 3h/)
  t.ok(Number(r.entry.details?.expiresInS) > 3 * 3600 - 100)
})

t.test('expired credentials fail EXPIRED', async (t) => {
  chainCredentials(-60)
  const { app, logs } = await setup(t)
  const r = await probe(app, 'aws')
  t.equal(r.httpStatus, 503)
  t.equal(r.entry.status, 'fail')
  t.equal(r.entry.reason, 'EXPIRED')
  t.match(r.entry.output, /the credentials expired at/)
  t.notOk(secretsOf().some((s) => r.body.includes(s) || logs.text().includes(s)))
})

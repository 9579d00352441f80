import type { Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { ACCOUNT, awsEnv, sesAnswers, startAwsFake } from './fakes/aws-wire.js'
import { startS3rver } from './fakes/aws-s3.js'
import { startAzureFake } from './fakes/azure-openai.js'
import { startStripeFake } from './fakes/stripe.js'
import { goodApp, PG_URL } from './helpers.js'
import { sentinel } from './secrets.js'

const BUCKET = 'huntaze-platform-test'
const FROM = 'noreply@platform-test.example.com'
const DEPLOYMENT = 'chat-gpt4o-mini'

// Every critical dependency of the platform up on loopback: the real PostgreSQL, STS, SES and S3 through the AWS
// SDK at fakes (s3rver for S3), Azure OpenAI and Stripe fakes, and format-only settings that break no rule. The
// service started with `env` has /ready 200 once it has probed them.
export async function startPlatform(t: Test): Promise<{ env: Record<string, string> }> {
  const sts = await startAwsFake('query', () => ({
    body: `<Arn>arn:aws:iam::${ACCOUNT}:user/health-test</Arn><UserId>AIDAFAKEUSERIDFORTESTS</UserId><Account>${ACCOUNT}</Account>`,
  }))
  t.teardown(() => sts.close())
  const ses = await startAwsFake('rest-json', sesAnswers())
  t.teardown(() => ses.close())
  const aws = awsEnv('AWS_ENDPOINT_URL_STS', sts.url)
  const s3 = await startS3rver([BUCKET], {
    accessKeyId: aws.AWS_ACCESS_KEY_ID!,
    secretAccessKey: aws.AWS_SECRET_ACCESS_KEY!,
  })
  t.teardown(() => s3.close())
  const azureKey = sentinel('', 64).value
  const azure = await startAzureFake(azureKey, [DEPLOYMENT])
  t.teardown(() => azure.close())
  const stripeKey = sentinel('sk_test_FAKE').value
  const stripe = await startStripeFake(stripeKey)
  t.teardown(() => stripe.close())
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    ...goodApp,
    DATABASE_URL: PG_URL,
    ...(aws as Record<string, string>),
    AWS_ENDPOINT_URL_SESV2: ses.url,
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_S3_BUCKET: BUCKET,
    FROM_EMAIL: FROM,
    AZURE_OPENAI_API_KEY: azureKey,
    AZURE_OPENAI_ENDPOINT: 'https://huntaze-test.openai.azure.com',
    AZURE_OPENAI_BASE_URL: azure.url,
    AZURE_OPENAI_API_VERSION: '2024-10-21',
    AZURE_OPENAI_DEPLOYMENT: DEPLOYMENT,
    STRIPE_SECRET_KEY: stripeKey,
    STRIPE_WEBHOOK_SECRET: sentinel('whsec_FAKE').value,
    STRIPE_API_URL: stripe.url,
    NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
    JWT_SECRET: randomBytes(32).toString('base64'),
    // the SDK's provider chain must find nothing of the machine's own AWS setup
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  }
  return { env }
}

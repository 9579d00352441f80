import t from 'tap'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { settingNames, settingMeta } from '../../src/config.js'
import { checks } from '../../src/checks/index.js'
import { appWith, REDIS_URL } from '../support/helpers.js'
import { startFake } from '../support/fakes/http.js'
import { startSilentServer } from '../support/fakes/tcp.js'
import { echoed, noSecrets } from '../support/secrets.js'

// Each secret gets a distinctive value; the part that must never leak is the unique core, whose ends are distinctive
// too, so that its first or last four characters are a tell.
const core = () => `Snt${randomBytes(8).toString('hex')}tnS`

function sentinels(): { env: Record<string, string>; cores: Record<string, string> } {
  const cores: Record<string, string> = {}
  const c = (name: string) => (cores[name] = core())
  const akid = 'AKIA' + randomBytes(8).toString('hex').toUpperCase()
  cores.AWS_ACCESS_KEY_ID = akid.slice(4)
  const datadog = randomBytes(16).toString('hex')
  cores.DATADOG_API_KEY = datadog
  const tokenKey = randomBytes(32).toString('base64')
  cores.TOKEN_ENCRYPTION_KEY = tokenKey
  const azure = (c('AZURE_OPENAI_API_KEY') + randomBytes(32).toString('hex')).slice(0, 64)
  cores.AZURE_OPENAI_API_KEY = azure
  const env: Record<string, string> = {
    DATABASE_URL: `postgres://health_pw:${c('DATABASE_URL')}@127.0.0.1:5432/postgres`,
    DATABASE_PASSWORD: c('DATABASE_PASSWORD'),
    REDIS_URL: `redis://health_acl_test:${c('REDIS_URL')}@127.0.0.1:6379`,
    UPSTASH_REDIS_REST_TOKEN: c('UPSTASH_REDIS_REST_TOKEN'),
    AWS_ACCESS_KEY_ID: akid,
    AWS_SECRET_ACCESS_KEY: c('AWS_SECRET_ACCESS_KEY'),
    AWS_SESSION_TOKEN: c('AWS_SESSION_TOKEN'),
    AZURE_OPENAI_API_KEY: azure,
    OPENAI_API_KEY: `sk-${c('OPENAI_API_KEY')}`,
    NEXTAUTH_SECRET: c('NEXTAUTH_SECRET').padEnd(40, 'n'),
    JWT_SECRET: c('JWT_SECRET').padEnd(40, 'j'),
    TOKEN_ENCRYPTION_KEY: tokenKey,
    INSTAGRAM_APP_SECRET: c('INSTAGRAM_APP_SECRET'),
    TIKTOK_CLIENT_KEY: c('TIKTOK_CLIENT_KEY'),
    TIKTOK_CLIENT_SECRET: c('TIKTOK_CLIENT_SECRET'),
    REDDIT_CLIENT_SECRET: c('REDDIT_CLIENT_SECRET'),
    ONLYFANS_API_KEY: c('ONLYFANS_API_KEY'),
    GOOGLE_CLIENT_SECRET: c('GOOGLE_CLIENT_SECRET'),
    GITHUB_CLIENT_SECRET: c('GITHUB_CLIENT_SECRET'),
    STRIPE_SECRET_KEY: `sk_test_${c('STRIPE_SECRET_KEY')}`,
    STRIPE_WEBHOOK_SECRET: `whsec_${c('STRIPE_WEBHOOK_SECRET')}`,
    SMTP_PASSWORD: c('SMTP_PASSWORD'),
    RESEND_API_KEY: `re_${c('RESEND_API_KEY')}`,
    SENTRY_AUTH_TOKEN: c('SENTRY_AUTH_TOKEN'),
    DATADOG_API_KEY: datadog,
  }
  return { env, cores }
}

t.test('every secret setting of the schema has a sentinel here', async (t) => {
  const secret = settingNames.filter((n) => settingMeta(n).secret)
  t.same(Object.keys(sentinels().env).sort(), [...secret].sort())
})

// A hostile provider: it echoes everything it received (headers, URL, body) into its answer.
const echo = (status: number) =>
  startFake((req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' })
    res.end(
      JSON.stringify({
        error: { message: `echo ${req.method} ${req.url} ${JSON.stringify(req.headers)} ${req.body}`, code: 'invalid' },
        message: req.body,
        echo: req.headers,
      }),
    )
  })

// inline, and in a worker thread as the running service probes, whose log lines reach the main thread's logger
for (const isolateProbes of [false, true])
  for (const status of [200, 401, 429, 500]) {
    t.test(
      `no secret leaks into any body or log line (providers answering ${status} with an echo, probes ${isolateProbes ? 'in a worker thread' : 'inline'})`,
      async (t) => {
        const admin = new Redis(REDIS_URL)
        await admin.call('ACL', 'SETUSER', 'health_acl_test', 'on', '>health-acl-test-password', '~*', '+@all')
        admin.disconnect()
        const fake = await echo(status)
        const smtp = await startSilentServer()
        t.teardown(() => Promise.all([fake.close(), smtp.close()]))
        const { env, cores } = sentinels()
        const { app, logs } = await appWith(
          {
            ...env,
            NODE_ENV: 'production',
            HEALTH_TIMEOUT_MS: '400',
            HEALTH_MIN_PROBE_INTERVAL_MS: '0',
            NEXT_PUBLIC_APP_URL: 'https://app.example.test',
            NEXTAUTH_URL: 'https://app.example.test',
            UPSTASH_REDIS_REST_URL: fake.url,
            AWS_REGION: 'eu-west-1',
            AWS_ENDPOINT_URL: fake.url,
            AWS_SQS_QUEUE_URLS: `${fake.url}/123456789012/jobs`,
            FROM_EMAIL: 'noreply@example.test',
            AZURE_OPENAI_ENDPOINT: 'https://huntaze-test.openai.azure.com',
            AZURE_OPENAI_BASE_URL: fake.url,
            AZURE_OPENAI_API_VERSION: '2024-06-01',
            AZURE_OPENAI_DEPLOYMENT: 'gpt-test',
            OPENAI_BASE_URL: fake.url,
            INSTAGRAM_APP_ID: '1234567890',
            NEXT_PUBLIC_INSTAGRAM_REDIRECT_URI: 'https://app.example.test/auth/instagram/callback',
            INSTAGRAM_GRAPH_URL: fake.url,
            NEXT_PUBLIC_TIKTOK_REDIRECT_URI: 'https://app.example.test/auth/tiktok/callback',
            TIKTOK_API_URL: fake.url,
            REDDIT_CLIENT_ID: 'reddit-client-id-test',
            NEXT_PUBLIC_REDDIT_REDIRECT_URI: 'https://app.example.test/auth/reddit/callback',
            REDDIT_USER_AGENT: 'web:huntaze-test:1.0.0 (by /u/huntaze_test)',
            REDDIT_API_URL: fake.url,
            GOOGLE_CLIENT_ID: 'test-client.apps.googleusercontent.com',
            GOOGLE_TOKEN_URL: `${fake.url}/token`,
            GITHUB_CLIENT_ID: 'github-client-id-test',
            GITHUB_TOKEN_URL: `${fake.url}/login/oauth/access_token`,
            STRIPE_API_URL: fake.url,
            SMTP_HOST: '127.0.0.1',
            SMTP_PORT: String(smtp.port),
            SMTP_USER: 'smtp-user-test',
            RESEND_API_URL: fake.url,
            SENTRY_DSN: `http://publickey0test@127.0.0.1:${fake.port}/42`,
            SENTRY_CHECK_INGEST: 'true',
            LOGROCKET_APP_ID: 'huntaze/test',
            DATADOG_API_URL: fake.url,
          },
          { isolateProbes },
        )
        t.teardown(() => app.close())
        const bodies: string[] = []
        const paths = [
          '/health',
          '/health?verbose',
          '/ready',
          '/ready?verbose',
          '/live',
          '/nope',
          '/health?exclude=nope',
        ]
        for (const c of checks) paths.push(`/health/${c.name}?fresh`, `/health/${c.name}?verbose`)
        for (const path of paths) bodies.push((await app.inject(path)).body)
        t.ok(fake.requests.length > 0, 'the providers were called')
        const everything = bodies.join('\n') + '\n' + logs.text()
        // random hex and base64 have no distinctive ends: their runs and encodings are the tells
        const plain = new Set(['AWS_ACCESS_KEY_ID', 'DATADOG_API_KEY', 'TOKEN_ENCRYPTION_KEY', 'AZURE_OPENAI_API_KEY'])
        noSecrets(
          t,
          Object.entries(cores).map(([name, value]) => echoed(value, name, { edges: !plain.has(name) })),
          { 'the bodies and log lines': everything },
        )
        t.notOk(everything.includes(env.DATABASE_URL), 'DATABASE_URL never appears whole')
      },
    )
  }

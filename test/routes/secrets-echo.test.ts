import t from 'tap'
import { randomBytes } from 'node:crypto'
import type { CheckDefinition } from '../../src/checks/types.js'
import upstashCheck from '../../src/checks/upstash.js'
import awsCheck from '../../src/checks/aws.js'
import githubCheck from '../../src/checks/github.js'
import instagramCheck from '../../src/checks/instagram.js'
import smtpCheck from '../../src/checks/smtp.js'
import { appWith } from '../support/helpers.js'
import {
  echoForms,
  ECHO_MARK,
  graphEcho,
  oauthEcho,
  smtpEcho,
  stsEcho,
  upstashEcho,
  type EchoForm,
} from '../support/fakes/echo.js'
import { awsEnv, KEY_ID } from '../support/fakes/aws-wire.js'
import { echoed, noSecrets } from '../support/secrets.js'

// The providers that quote back the credential they received (the catalogue-wide echo is in secrets.test.ts, which
// runs long enough on its own).

// A secret with distinctive ends (so that a head or tail of 4 is a tell, not a coincidence) and characters that
// URL encoding changes.
const echoSecret = () => {
  const rand = (n: number) => Array.from(randomBytes(n), (b) => alphanumeric[b % alphanumeric.length]).join('')
  return `Qx7${rand(12)}/${rand(6)}+${rand(6)}Jk9`
}
const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

interface EchoCase {
  check: CheckDefinition
  setting: string
  start: (form: EchoForm) => Promise<{ close(): Promise<void>; port: number; url?: string }>
  env: (fake: { port: number; url?: string }, secret: string) => Record<string, string>
}

const echoCases: EchoCase[] = [
  {
    check: upstashCheck,
    setting: 'UPSTASH_REDIS_REST_TOKEN',
    start: upstashEcho,
    env: (fake, s) => ({ UPSTASH_REDIS_REST_URL: String(fake.url), UPSTASH_REDIS_REST_TOKEN: s }),
  },
  {
    check: awsCheck,
    setting: 'AWS_SESSION_TOKEN',
    start: stsEcho,
    env: (fake, s) => ({
      ...(awsEnv('AWS_ENDPOINT_URL_STS', String(fake.url)) as Record<string, string>),
      AWS_ACCESS_KEY_ID: 'ASIA' + KEY_ID.slice(4),
      AWS_SESSION_TOKEN: s,
    }),
  },
  {
    check: githubCheck,
    setting: 'GITHUB_CLIENT_SECRET',
    start: oauthEcho,
    env: (fake, s) => ({
      GITHUB_CLIENT_ID: 'github-client-id-test',
      GITHUB_CLIENT_SECRET: s,
      GITHUB_TOKEN_URL: `${fake.url}/login/oauth/access_token`,
    }),
  },
  {
    check: instagramCheck,
    setting: 'INSTAGRAM_APP_SECRET',
    start: graphEcho,
    env: (fake, s) => ({
      INSTAGRAM_APP_ID: '1234567890',
      INSTAGRAM_APP_SECRET: s,
      INSTAGRAM_GRAPH_URL: String(fake.url),
      NEXT_PUBLIC_APP_URL: 'https://app.example.test',
      NEXT_PUBLIC_INSTAGRAM_REDIRECT_URI: 'https://app.example.test/auth/instagram/callback',
    }),
  },
  {
    check: smtpCheck,
    setting: 'SMTP_PASSWORD',
    start: smtpEcho,
    env: (fake, s) => ({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(fake.port),
      SMTP_USER: 'smtp-user-test',
      SMTP_PASSWORD: s,
    }),
  },
]

// Providers that quote the credential they received: whole, cut where the check cuts their text, masked, URL-encoded,
// in base64 alone and inside Basic auth. No part of it may reach any answer or log line.
for (const c of echoCases)
  t.test(`${c.check.name}: a provider that quotes ${c.setting} back leaks no part of it`, async (t) => {
    for (const form of echoForms) {
      const fake = await c.start(form)
      const value = echoSecret()
      const { app, logs } = await appWith(
        { ...c.env(fake, value), HEALTH_MIN_PROBE_INTERVAL_MS: '0' },
        { checks: [c.check] },
      )
      const one = await app.inject(`/health/${c.check.name}?fresh`)
      const texts = {
        [`/health/${c.check.name} (${form})`]: one.body,
        [`the text view (${form})`]: (await app.inject(`/health/${c.check.name}?verbose`)).body,
        [`/health (${form})`]: (await app.inject('/health')).body,
        [`/health?verbose (${form})`]: (await app.inject('/health?verbose')).body,
        [`the log lines (${form})`]: logs.text(),
      }
      await app.close()
      await fake.close()
      const entry = one.json<{ checks: Record<string, { output?: string }[]> }>().checks[
        `${c.check.name}:responseTime`
      ][0]
      t.match(entry.output, ECHO_MARK, `${form}: the provider's text reaches the output`)
      noSecrets(t, [echoed(value, c.setting)], texts)
    }
  })

import t from 'tap'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ConfigError,
  platformSettings,
  loadConfig,
  settingMeta,
  settingNames,
  type SettingName,
} from '../src/config.js'
import { checks } from '../src/checks/index.js'
import { renderDocument, settingsOf } from '../scripts/docs.js'

const load = (env: Record<string, string | undefined>) => loadConfig(env, { envFile: false })

t.test('loadConfig never throws for any platform setting, whatever its value', async (t) => {
  const garbage = [
    '',
    ' ',
    '\u0000',
    '%%%',
    '://',
    'x'.repeat(20_000),
    '\u{1F4A5}é\n\t',
    'null',
    '-1',
    '[object Object]',
    'http://[::1',
    'postgres://u:%zz@h/db',
  ]
  for (const g of garbage) {
    const env = Object.fromEntries(settingNames.map((n) => [n, g]))
    t.doesNotThrow(() => load(env), `every setting set to ${JSON.stringify(g.slice(0, 20))}`)
  }
  for (const name of settingNames) {
    t.doesNotThrow(() => load({ [name]: `garbage-${name}-\u{1F4A5}` }), name)
  }
})

t.test('a missing required setting becomes a "missing" finding naming it', async (t) => {
  const config = load({})
  const required = settingNames.filter((n) => settingMeta(n).required)
  t.ok(required.length >= 12, 'the schema has required settings')
  for (const name of required) {
    const f = config.findings.get(name)
    t.equal(f?.problem, 'missing', `${name} is missing`)
    t.equal(f?.setting, name)
    t.match(f?.message ?? '', name, `the message names ${name}`)
  }
  for (const name of settingNames.filter((n) => !settingMeta(n).required)) {
    t.notOk(config.findings.has(name), `${name} is not required: no finding when unset`)
  }
})

t.test('a malformed setting becomes a "malformed" finding that never contains the value', async (t) => {
  let malformed = 0
  for (const name of settingNames) {
    const value = 'Zq9x {Zq9x}'
    const f = load({ [name]: value }).findings.get(name)
    if (!settingMeta(name).format || settingMeta(name).format === 'present') {
      t.notOk(f, `${name} has no format to break`)
      continue
    }
    malformed++
    t.equal(f?.problem, 'malformed', `${name} is malformed`)
    t.match(f?.message ?? '', name, `the message names ${name}`)
    t.notMatch(f?.message ?? '', /Zq9x/, `the message of ${name} quotes no part of the value`)
  }
  t.ok(malformed > 40, 'most settings have a format rule')
})

t.test('a malformed secret is reported without any prefix of it', async (t) => {
  const config = load({
    AZURE_OPENAI_API_KEY: 'azsecretprefix0123456789abcdef',
    JWT_SECRET: 'jwtsecretprefix',
    TOKEN_ENCRYPTION_KEY: 'tokenkeyprefix+/==',
  })
  for (const [name, prefix] of [
    ['AZURE_OPENAI_API_KEY', 'azsecret'],
    ['JWT_SECRET', 'jwtsecret'],
    ['TOKEN_ENCRYPTION_KEY', 'tokenkey'],
  ] as const) {
    const f = config.findings.get(name)
    t.equal(f?.problem, 'malformed', name)
    t.notMatch(f?.message ?? '', prefix, `${name}: no prefix of the value`)
  }
})

t.test('a well-formed value gives no finding and counts as present', async (t) => {
  const config = load({ DATABASE_URL: 'postgres://app@db.internal:5432/huntaze', NODE_ENV: 'staging', PORT: '4000' })
  t.notOk(config.findings.has('DATABASE_URL'))
  t.notOk(config.findings.has('NODE_ENV'))
  t.ok(config.present.has('DATABASE_URL'))
  t.equal(config.settings.PORT, '4000')
  t.ok(config.present.has('PORT'))
})

t.test('values are trimmed', async (t) => {
  const config = load({ NODE_ENV: '  production\n', AWS_REGION: ' eu-west-1 ' })
  t.equal(config.settings.NODE_ENV, 'production')
  t.equal(config.production, true)
  t.equal(config.settings.AWS_REGION, 'eu-west-1')
  t.notOk(config.findings.has('AWS_REGION'))
})

t.test('defaults are applied and do not count as present', async (t) => {
  const defaults: [SettingName, string][] = [
    ['AWS_S3_BUCKET', 'content-creation-media'],
    ['AWS_EVENTBRIDGE_BUS', 'default'],
    ['PORT', '3000'],
    ['RATE_LIMIT_ENABLED', 'true'],
    ['OPENAI_BASE_URL', 'https://api.openai.com/v1'],
    ['SMTP_PORT', '587'],
    ['DATADOG_SITE', 'datadoghq.com'],
    ['SENTRY_CHECK_INGEST', 'false'],
    ['STRIPE_API_URL', 'https://api.stripe.com'],
  ]
  for (const env of [{}, Object.fromEntries(defaults.map(([n]) => [n, '   ']))]) {
    const config = load(env)
    for (const [name, value] of defaults) {
      t.equal(config.settings[name], value, `${name} defaults to ${value}`)
      t.notOk(config.present.has(name), `${name} from its default is not present`)
      t.notOk(config.findings.has(name), `the default of ${name} is well-formed`)
    }
  }
  for (const name of settingNames) {
    const def = settingMeta(name).default
    if (def === undefined) continue
    const rule = settingMeta(name).format
    t.notOk(load({}).findings.has(name), `the default of ${name} passes ${rule ?? 'no rule'}`)
  }
})

t.test('production is NODE_ENV=production only', async (t) => {
  t.equal(load({ NODE_ENV: 'production' }).production, true)
  t.equal(load({ NODE_ENV: 'staging' }).production, false)
  t.equal(load({ NODE_ENV: 'development' }).production, false)
  t.equal(load({}).production, false)
  t.equal(load({ NODE_ENV: 'Production' }).production, false)
})

t.test('HEALTH_* settings fail fast with a ConfigError naming the setting and what it expects', async (t) => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ HEALTH_PORT: 'abc' }, 'HEALTH_PORT', /integer/i],
    [{ HEALTH_PORT: '70000' }, 'HEALTH_PORT', /less or equal to 65535/],
    [{ HEALTH_PORT: '-1' }, 'HEALTH_PORT', /greater or equal to 0/],
    [{ HEALTH_TIMEOUT_MS: '0' }, 'HEALTH_TIMEOUT_MS', /greater or equal to 1/],
    [{ HEALTH_CACHE_TTL_MS: 'soon' }, 'HEALTH_CACHE_TTL_MS', /integer/i],
    [{ HEALTH_MAX_STALE_MS: '-5' }, 'HEALTH_MAX_STALE_MS', /greater or equal to 0/],
    [{ HEALTH_DEEP_CHECKS: 'maybe' }, 'HEALTH_DEEP_CHECKS', /boolean/i],
    [{ HEALTH_SES_QUOTA_WARN: '1.5' }, 'HEALTH_SES_QUOTA_WARN', /less or equal to 1/],
  ]
  for (const [env, name, expects] of cases) {
    const err = t.throws(() => load(env), ConfigError, JSON.stringify(env)) as Error
    t.match(err?.message ?? '', name, `names ${name}`)
    t.match(err?.message ?? '', expects, `says what ${name} expects`)
  }
})

t.test('HEALTH_LOG_LEVEL=loud fails fast naming the levels it accepts', async (t) => {
  const err = t.throws(() => load({ HEALTH_LOG_LEVEL: 'loud' }), ConfigError) as Error
  t.match(err?.message ?? '', 'HEALTH_LOG_LEVEL')
  for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    t.match(err?.message ?? '', level, `lists ${level}`)
})

t.test('HEALTH_PORT=1.5 fails fast instead of being truncated', async (t) => {
  t.throws(() => load({ HEALTH_PORT: '1.5' }), ConfigError)
  t.throws(() => load({ HEALTH_TIMEOUT_MS: '2500.7' }), ConfigError)
})

t.test('a ConfigError lists every bad HEALTH_* setting at once', async (t) => {
  const err = t.throws(() => load({ HEALTH_PORT: 'abc', HEALTH_TIMEOUT_MS: '0' }), ConfigError) as Error
  t.match(err?.message ?? '', 'HEALTH_PORT')
  t.match(err?.message ?? '', 'HEALTH_TIMEOUT_MS')
})

t.test(
  'HEALTH_NOTIFY_URLS takes every scheme the notifier posts to and names a bad URL by its position only',
  async (t) => {
    const good = [
      'https://hooks.example.com/token-abcdef',
      'http://127.0.0.1:9/hook',
      'slack+https://chat.example.com/hooks/abc',
      'slack+http://127.0.0.1:9/hooks/abc',
    ]
    t.same(load({ HEALTH_NOTIFY_URLS: good.join(',') }).health.HEALTH_NOTIFY_URLS, good.join(','))
    const secret = 'ftp://files.example.com/secret-token-0123456789'
    const err = t.throws(() => load({ HEALTH_NOTIFY_URLS: `${good[0]}, ${secret}` }), ConfigError) as Error
    t.match(err?.message ?? '', 'HEALTH_NOTIFY_URLS: URL 2 of 2 is not an http, https, slack+http or slack+https URL')
    t.notMatch(err?.message ?? '', 'secret-token', 'the URL, which carries a token, is not quoted')
  },
)

t.test('HEALTH_* settings convert numbers and booleans, with defaults', async (t) => {
  const d = load({}).health
  t.equal(d.HEALTH_PORT, 8080)
  t.equal(d.HEALTH_HOST, '0.0.0.0')
  t.equal(d.HEALTH_LOG_LEVEL, 'info')
  t.equal(d.HEALTH_DEEP_CHECKS, false)
  t.type(d.HEALTH_TIMEOUT_MS, 'number')
  t.type(d.HEALTH_CACHE_TTL_MS, 'number')
  const h = load({
    HEALTH_PORT: '9090',
    HEALTH_HOST: '127.0.0.1',
    HEALTH_TIMEOUT_MS: ' 1500 ',
    HEALTH_CACHE_TTL_MS: '250',
    HEALTH_MAX_STALE_MS: '0',
    HEALTH_DEEP_CHECKS: 'true',
    HEALTH_SES_QUOTA_WARN: '0.5',
    HEALTH_LOG_LEVEL: 'warn',
  }).health
  t.equal(h.HEALTH_PORT, 9090)
  t.equal(h.HEALTH_HOST, '127.0.0.1')
  t.equal(h.HEALTH_TIMEOUT_MS, 1500)
  t.equal(h.HEALTH_CACHE_TTL_MS, 250)
  t.equal(h.HEALTH_MAX_STALE_MS, 0)
  t.equal(h.HEALTH_DEEP_CHECKS, true)
  t.equal(h.HEALTH_SES_QUOTA_WARN, 0.5)
  t.equal(h.HEALTH_LOG_LEVEL, 'warn')
  t.equal(load({ HEALTH_DEEP_CHECKS: 'false' }).health.HEALTH_DEEP_CHECKS, false)
  t.equal(load({ HEALTH_PORT: '0' }).health.HEALTH_PORT, 0, 'port 0 picks a free port')
  t.equal(load({ HEALTH_PORT: '' }).health.HEALTH_PORT, 8080, 'an empty value means the default')
})

t.test('the .env file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'health-env-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'platform.env')
  writeFileSync(
    file,
    [
      'NODE_ENV=production',
      'AWS_REGION=eu-west-1',
      'PORT=4100',
      'JWT_SECRET="from-the-file-and-long-enough-0123456789"',
      'HEALTH_TIMEOUT_MS=1234',
      '',
    ].join('\n'),
  )

  t.test('is read when present', async (t) => {
    const config = loadConfig({ HEALTH_ENV_FILE: file })
    t.equal(config.settings.NODE_ENV, 'production')
    t.equal(config.settings.AWS_REGION, 'eu-west-1')
    t.equal(config.settings.JWT_SECRET, 'from-the-file-and-long-enough-0123456789')
    t.ok(config.present.has('PORT'), 'a value from the file counts as present')
    t.equal(config.health.HEALTH_TIMEOUT_MS, 1234, 'HEALTH_* settings too')
    t.ok(config.secrets.includes('from-the-file-and-long-enough-0123456789'), 'secrets from the file are known')
  })

  t.test('real variables win over it', async (t) => {
    const config = loadConfig({ HEALTH_ENV_FILE: file, NODE_ENV: 'staging', HEALTH_TIMEOUT_MS: '999' })
    t.equal(config.settings.NODE_ENV, 'staging')
    t.equal(config.health.HEALTH_TIMEOUT_MS, 999)
    t.equal(config.settings.AWS_REGION, 'eu-west-1', 'the rest still comes from the file')
  })

  t.test('a missing file is fine', async (t) => {
    const config = loadConfig({ HEALTH_ENV_FILE: join(dir, 'absent.env'), NODE_ENV: 'development' })
    t.equal(config.settings.NODE_ENV, 'development')
    t.notOk(config.present.has('AWS_REGION'))
  })

  t.test('is ignored with envFile: false', async (t) => {
    const config = loadConfig({ HEALTH_ENV_FILE: file }, { envFile: false })
    t.notOk(config.present.has('AWS_REGION'))
  })

  t.test('an unreadable file is a ConfigError naming HEALTH_ENV_FILE', async (t) => {
    const sub = join(dir, 'a-directory.env')
    mkdirSync(sub)
    const err = t.throws(() => loadConfig({ HEALTH_ENV_FILE: sub }), ConfigError) as Error
    t.match(err?.message ?? '', 'HEALTH_ENV_FILE')
  })

  t.test('bad HEALTH_* settings in the file fail fast too', async (t) => {
    const bad = join(dir, 'bad.env')
    writeFileSync(bad, 'HEALTH_PORT=abc\n')
    t.throws(() => loadConfig({ HEALTH_ENV_FILE: bad }), ConfigError)
  })
})

// docs/services.md: every *_SECRET, *_KEY, *_PASSWORD, *_TOKEN and DATABASE_URL is secret; REDIS_URL carries a password.
const secretByName = (name: string) =>
  /_(SECRET|KEY|PASSWORD|TOKEN)$/.test(name) || name === 'DATABASE_URL' || name === 'REDIS_URL'
// public by design: shipped to browsers
const publicByDesign = (name: string) => name.startsWith('NEXT_PUBLIC_') || name.endsWith('_PUBLISHABLE_KEY')

t.test(
  'every *_SECRET, *_KEY, *_PASSWORD, *_TOKEN, DATABASE_URL and REDIS_URL setting is secret in the schema',
  async (t) => {
    for (const name of settingNames) {
      if (secretByName(name) && !publicByDesign(name)) t.equal(settingMeta(name).secret, true, `${name} is secret`)
    }
  },
)

t.test('settings public by design (NEXT_PUBLIC_*, *_PUBLISHABLE_KEY) are not secret', async (t) => {
  const publicOnes = settingNames.filter(publicByDesign)
  t.ok(publicOnes.includes('NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY'))
  t.ok(publicOnes.includes('STRIPE_PUBLISHABLE_KEY'))
  for (const name of publicOnes) t.notOk(settingMeta(name).secret, `${name} is public`)
})

t.test('a setting is secret only by the naming rule, or because it is part of a credential', async (t) => {
  // AWS_ACCESS_KEY_ID is half of a key pair: treating it as secret is deliberate
  const extra = settingNames.filter((n) => settingMeta(n).secret && !secretByName(n))
  t.same(extra, ['AWS_ACCESS_KEY_ID'])
})

t.test('secret values land in config.secrets, a URL password alone too', async (t) => {
  const config = load({
    DATABASE_URL: 'postgres://app:pg-pass-sentinel-1@db.internal:5432/huntaze',
    REDIS_URL: 'redis://:redis%2Fpass-sentinel@cache.internal:6379',
    JWT_SECRET: 'jwt-secret-sentinel-0123456789abcdef',
    STRIPE_SECRET_KEY: 'sk_test_stripesentinel',
    DATABASE_PASSWORD: 'dbpw-sentinel',
    AWS_REGION: 'eu-west-1',
    NEXT_PUBLIC_APP_URL: 'https://app.huntaze.com',
  })
  for (const s of [
    'postgres://app:pg-pass-sentinel-1@db.internal:5432/huntaze',
    'pg-pass-sentinel-1',
    'redis://:redis%2Fpass-sentinel@cache.internal:6379',
    'redis/pass-sentinel',
    'jwt-secret-sentinel-0123456789abcdef',
    'sk_test_stripesentinel',
    'dbpw-sentinel',
  ]) {
    t.ok(config.secrets.includes(s), `${s} is a secret`)
  }
  t.notOk(config.secrets.includes('eu-west-1'), 'a plain setting is not')
  t.notOk(config.secrets.includes('https://app.huntaze.com'), 'a public URL is not')
})

t.test('a malformed secret is still a secret', async (t) => {
  const config = load({ AZURE_OPENAI_API_KEY: 'az-too-short-sentinel' })
  t.equal(config.findings.get('AZURE_OPENAI_API_KEY')?.problem, 'malformed')
  t.ok(config.secrets.includes('az-too-short-sentinel'))
})

t.test('the password of any URL setting is a secret, even when the setting itself is not', async (t) => {
  const config = load({
    AWS_ENDPOINT_URL: 'http://proxy-user:proxy-pass-sentinel@127.0.0.1:4566',
    UPSTASH_REDIS_REST_URL: 'https://u:upstash-pass-sentinel@eu1.upstash.io',
  })
  t.ok(config.secrets.includes('proxy-pass-sentinel'))
  t.ok(config.secrets.includes('upstash-pass-sentinel'))
})

// docs/services.md is the catalogue the code implements: its generated part is rendered from the schema and the checks.
const services = renderDocument('docs/services.md')
const servicesBlock = (name: string) =>
  new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(services.text)?.[1] ?? ''

t.test('the generated part of docs/services.md is what the code renders (run `npm run docs`)', async (t) => {
  t.equal(services.text, services.rendered)
})

t.test(
  'the services table of docs/services.md has one row a check, in order, naming settings of the schema only',
  async (t) => {
    const rows = servicesBlock('services')
      .split('\n')
      .filter((l) => /^\| \[?`[a-z0-9-]+`/.test(l))
    t.same(
      rows.map((l) => /`([a-z0-9-]+)`/.exec(l)![1]),
      checks.map((c) => c.name),
    )
    const named = rows.flatMap((l) => [...l.split('|')[3].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]))
    t.ok(named.length >= settingNames.length, 'the table names the settings')
    for (const name of named) t.ok(name in platformSettings, `${name} is in the schema`)
  },
)

t.test('the check names of docs/services.md equal src/checks/index.ts, in order', async (t) => {
  t.same(
    [...servicesBlock('check-names').matchAll(/`([a-z][a-z0-9-]*)`/g)].map((m) => m[1]),
    checks.map((c) => c.name),
  )
})

t.test('the critical settings of docs/services.md are reported by critical checks', async (t) => {
  const listed = [...servicesBlock('critical-settings').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(
    (m) => m[1],
  ) as SettingName[]
  t.ok(listed.length > 0, 'some settings are critical')
  for (const name of listed) {
    t.ok(settingMeta(name).required, `${name} is required`)
    t.equal(
      checks.find((c) => settingsOf(c).includes(name))?.tier,
      'critical',
      `${name} is reported by a critical check`,
    )
  }
})

t.test('every setting of the schema is reported by some check', async (t) => {
  for (const name of settingNames)
    t.ok(
      checks.some((c) => c.settings.includes(name)),
      name,
    )
})

t.test('every setting of the schema belongs to exactly one check: its service is the name of a check', async (t) => {
  const names = checks.map((c) => c.name)
  t.equal(new Set(names).size, names.length, 'check names are unique')
  for (const name of settingNames) {
    const service = settingMeta(name).service
    t.equal(names.filter((n) => n === service).length, 1, `${name} belongs to the check ${service}`)
  }
})

import t from 'tap'
import { formats, isHttps, parseBoolean, type FormatName } from '../../src/formats.js'
import { redirectUriProblem, stripeKeyMode } from '../../src/checks/lib/rules.js'

const hex = (n: number) => 'a1b2c3d4e5f60789'.repeat(Math.ceil(n / 16)).slice(0, n)
const key32 = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 3)).toString('base64')

// Good and bad values for every format rule; bad values are distinctive so that an echo would be visible.
const table: Record<FormatName, { good: string[]; bad: string[] }> = {
  'postgres-url': {
    good: ['postgres://app:pw@db.internal:5432/huntaze', 'postgresql://db.internal/huntaze', 'postgres://127.0.0.1'],
    bad: [
      'mysql://db.internal/huntazeq',
      'http://db.internal/huntazeq',
      'db.internal:5432/huntazeq',
      'postgres://',
      'not a url at all qq',
    ],
  },
  'redis-url': {
    good: ['redis://127.0.0.1:6379', 'rediss://:pw@cache.internal:6380/0', 'redis://cache.internal'],
    bad: ['http://cache.internal:6379', 'memcached://cache.internal', 'redis:/cache-path-only', 'cache.internal:6379'],
  },
  'https-url': {
    good: ['https://eu1-huntaze.upstash.io', 'https://eu1-huntaze.upstash.io/path'],
    bad: [
      'http://eu1-huntaze.upstash.io',
      'eu1-huntaze.upstash.io',
      'ftp://eu1-huntaze.upstash.io',
      'https//eu1-huntaze.upstash.io',
    ],
  },
  url: {
    good: ['https://app.huntaze.com', 'http://localhost:3000', 'https://api.huntaze.com/v1/'],
    bad: ['app.huntaze.com', 'ftp://files.huntaze.com', 'javascript:alert(1)', 'https://', 'mailto:ops@huntaze.com'],
  },
  present: {
    good: ['x', 'some-token-value'],
    bad: ['', '   '],
  },
  'aws-region': {
    good: [
      'eu-west-1',
      'us-east-1',
      'ap-southeast-2',
      'eu-central-2',
      'us-gov-west-1',
      'cn-north-1',
      'us-iso-east-1',
      'us-isob-east-1',
    ],
    bad: ['EU-WEST-1', 'eu-west', 'euwest1', 'eu-west-1a', 'europe', 'eu_west_1'],
  },
  'aws-access-key-id': {
    good: [`AKIA${'Q'.repeat(12)}`, `ASIA${'Z7'.repeat(62)}`, `AKIA${'TESTONLY'.repeat(2)}`],
    bad: [
      `AKIA${'Q'.repeat(11)}`,
      `ASIA${'Z'.repeat(125)}`,
      'AKIBIOSFODNN7EXAMPLE',
      'akiaiosfodnn7example',
      'AKIAIOSFODNN7EXAMPL!',
    ],
  },
  email: {
    good: [
      'noreply@huntaze.com',
      'Huntaze <noreply@huntaze.com>',
      '"Huntaze Team" <team@mail.huntaze.co.uk>',
      'a.b+tag@mail.example.co.uk',
    ],
    bad: [
      'noreply-huntaze',
      'noreply@',
      '@huntaze.com',
      'no reply@huntaze.com',
      'Huntaze <noreplyhuntaze>',
      'noreply@localhostq',
      'a@b@huntaze.com',
      'Huntaze <noreply@huntaze.com',
    ],
  },
  's3-bucket': {
    good: ['content-creation-media', 'abc', 'a'.repeat(63), 'my.bucket.name', '1bucket2', 'sthree', 'bucket-xn--mid'],
    bad: [
      'ab',
      'q'.repeat(64),
      'My-Bucket-Upper',
      'bucket_underscore',
      '-leading-hyphen',
      'trailing-hyphen-',
      'double..dot',
      '192.168.5.4',
      'xn--punycode-bucket',
      'sthree-reserved-bucket',
      'sthree-configurator-bucket',
      'media-bucket-s3alias',
      'media-bucket--ol-s3',
    ],
  },
  'sqs-queue-urls': {
    good: [
      'https://sqs.eu-west-1.amazonaws.com/123456789012/media-jobs',
      'https://sqs.eu-west-1.amazonaws.com/123456789012/media-jobs, https://sqs.eu-west-1.amazonaws.com/123456789012/emails_out',
      'http://127.0.0.1:4566/000000000000/local-queue',
      `https://sqs.eu-west-1.amazonaws.com/123456789012/${'q'.repeat(80)}`,
    ],
    bad: [
      '',
      ' , ',
      'media-jobs-queue',
      'https://sqs.eu-west-1.amazonaws.com/12345/media-jobs',
      'https://sqs.eu-west-1.amazonaws.com/123456789012/',
      'https://sqs.eu-west-1.amazonaws.com/123456789012/media jobs',
      `https://sqs.eu-west-1.amazonaws.com/123456789012/${'q'.repeat(81)}`,
      'ftp://sqs.eu-west-1.amazonaws.com/123456789012/media-jobs',
      'https://sqs.eu-west-1.amazonaws.com/123456789012/media-jobs,not-a-queue-url',
    ],
  },
  'event-bus': {
    good: [
      'default',
      'huntaze-events',
      'aws.partner/example.com/123/bus',
      'arn:aws:events:eu-west-1:123456789012:event-bus/huntaze-events',
    ],
    bad: ['', 'bus with spaces', 'b'.repeat(257), 'arn:aws:events:eu-west-1:1234:event-bus/huntaze', 'bus$name'],
  },
  'azure-openai-key': {
    good: [hex(64), 'Z'.repeat(64)],
    bad: [hex(32), 'K'.repeat(84), hex(63), hex(65), ''],
  },
  'azure-openai-endpoint': {
    good: [
      'https://huntaze-ai.openai.azure.com',
      'https://huntaze-ai.openai.azure.com/',
      'https://h1.openai.azure.com',
    ],
    bad: [
      'http://huntaze-ai.openai.azure.com',
      'https://huntaze-ai.cognitiveservices.azure.com',
      'https://openai.azure.com',
      'https://huntaze-ai.openai.azure.com/openai/deployments',
      'https://huntaze-ai.openai.azure.com.evil.test',
      'https://-huntaze.openai.azure.com',
      'huntaze-ai.openai.azure.com',
    ],
  },
  'api-version': {
    good: ['2024-02-01', '2024-02-29', '2024-12-31', '2024-10-01-preview', '2000-02-29'],
    bad: [
      '2024-02-30',
      '2023-02-29',
      '2024-04-31',
      '2024-13-01',
      '2024-00-10',
      '2024-01-00',
      '2024-2-1',
      '2024-02-01preview',
      '2024-02-01-beta',
      'latest',
      '1900-02-29',
    ],
  },
  'azure-deployment': {
    good: ['gpt-4o', 'gpt-35-turbo', 'my_deploy.v2'],
    bad: ['', 'has a space', 'd'.repeat(65), 'deploy/ment'],
  },
  'openai-key': {
    good: ['sk-proj-abc123', 'sk-abc'],
    bad: ['sk_abcdef123', 'pk-abcdef123', 'sk-', 'sk-abc def', 'SK-abcdef123'],
  },
  'secret-32': {
    good: ['s'.repeat(32), 'x'.repeat(64)],
    bad: ['s'.repeat(31), '', 'short-secret-value'],
  },
  'base64-32': {
    good: [key32, Buffer.alloc(32, 0xff).toString('base64')],
    bad: [
      key32.slice(0, 43),
      key32.replace(/=$/, 'A'),
      `${key32.slice(0, 10)}-${key32.slice(11)}`,
      `${key32.slice(0, 10)}_${key32.slice(11)}`,
      `${key32.slice(0, 42)}==`,
      `${key32}=`,
      '',
    ],
  },
  numeric: {
    good: ['1234567890123456', '0'],
    bad: ['12a34', '', '-12', '1.5', '1e9'],
  },
  'user-agent': {
    good: ['web:huntaze:1.0.0 (by /u/huntaze_dev)', 'web:com.huntaze.app:v2 (by u/some-one)'],
    bad: [
      'huntaze-bot',
      'Mozilla/5.0 (X11; Linux x86_64)',
      'web:huntaze:1.0 (by /u/ab)',
      'web:huntaze:1.0',
      'python-requests/2.31',
    ],
  },
  'google-client-id': {
    good: ['1234567890-abcdefghij.apps.googleusercontent.com'],
    bad: [
      '1234567890-abcdefghij',
      '.apps.googleusercontent.com',
      'x.apps.googleusercontent.com.evil.test',
      '1234567890-abc.apps.google.com',
    ],
  },
  'stripe-secret-key': {
    good: ['sk_live_abc123', 'sk_test_abc123', 'rk_live_abc123', 'rk_test_abc123'],
    bad: ['pk_live_abc123', 'sk_abc123xyz', 'sk_live_', 'whsec_abc123', 'sk_prod_abc123'],
  },
  'stripe-webhook-secret': {
    good: ['whsec_abc123', 'whsec_abc+/='],
    bad: ['wh_abc123xyz', 'whsec_', 'sk_test_abc123', 'WHSEC_abc123'],
  },
  'stripe-publishable-key': {
    good: ['pk_live_abc123', 'pk_test_abc123'],
    bad: ['sk_test_abc123', 'pk_abc123xyz', 'pk_live_', 'rk_live_abc123'],
  },
  port: {
    good: ['1', '587', '65535'],
    bad: ['0', '65536', '99999', 'abc', '-1', '80.5', ''],
  },
  'node-env': {
    good: ['development', 'staging', 'production'],
    bad: ['test', 'prod', 'Production', 'dev', ''],
  },
  boolean: {
    good: ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 'TRUE', 'False'],
    bad: ['maybe', 'enabled', '2', '', 'truthy'],
  },
  'resend-key': {
    good: ['re_123abc', 're_AbC_456'],
    bad: ['re-123abc', 'rk_123abc', 're_', 're_12 34'],
  },
  'sentry-dsn': {
    good: [
      'https://abc123def456@o123456.ingest.sentry.io/4504000000000000',
      'https://pubkey@sentry.example.com/sentry/42',
      'http://pubkey@127.0.0.1:9000/7',
    ],
    bad: [
      'https://o123456.ingest.sentry.io/4504000000',
      'https://pubkey@o1.ingest.sentry.io/projectx',
      'ftp://pubkey@host.example/1',
      'not a dsn at all',
      'https://pubkey@host.example/',
    ],
  },
  'logrocket-app-id': {
    good: ['huntaze/prod-app', 'org_1/app_2'],
    bad: ['huntaze-only', 'huntaze/prod/app', '/prod-app', 'huntaze/', 'hunt aze/app'],
  },
  'datadog-api-key': {
    good: [hex(32), '0123456789abcdef0123456789abcdef'],
    bad: [hex(31), hex(33), 'g'.repeat(32), ''],
  },
  'iso-date-time': {
    good: ['2026-11-24T10:00:00Z', '2026-11-24T10:00:00.123Z', '2026-11-24T10:00:00+01:00', '2026-11-24T10:00Z'],
    bad: ['2026-11-24', '2026-11-24T10:00:00', 'tomorrow', '2026-13-45T10:00:00Z', '1795526281'],
  },
  hostname: {
    good: ['db.internal', '127.0.0.1', 'localhost', 'smtp.sendgrid.net', 'a'],
    bad: ['smtp host', 'smtp.host:25', '-smtp.host', 'smtp.host-', 'http://smtp.host', ''],
  },
}

t.test('every format rule has a table row, and every row a rule', async (t) => {
  t.same(Object.keys(table).sort(), Object.keys(formats).sort())
})

for (const [name, { good, bad }] of Object.entries(table) as [FormatName, { good: string[]; bad: string[] }][]) {
  t.test(`format ${name}`, async (t) => {
    const rule = formats[name]
    for (const v of good)
      t.equal(rule(v), null, `accepts ${JSON.stringify(v.length > 70 ? `${v.slice(0, 70)}...` : v)}`)
    for (const v of bad) {
      const problem = rule(v)
      t.type(problem, 'string', `rejects ${JSON.stringify(v.length > 70 ? `${v.slice(0, 70)}...` : v)}`)
      if (problem) t.ok(problem.length > 0, 'with a message')
    }
  })
}

// One distinctive bad value a rule: none of them is a substring of any sentence a rule would write by itself.
const distinctiveBad: Record<FormatName, string> = {
  'postgres-url': 'mysql://Zq9xdb.internal/Zq9x',
  'redis-url': 'http://Zq9xcache.internal:6379',
  'https-url': 'http://Zq9x.upstash.io',
  url: 'Zq9x-not-a-url',
  present: '        ',
  'aws-region': 'Zq9x-west-1',
  'aws-access-key-id': 'AKIAZq9xZq9x',
  email: 'Zq9x-no-at-sign',
  's3-bucket': 'Zq9x_Bucket',
  'sqs-queue-urls': 'https://sqs.Zq9x.amazonaws.com/1/Zq9x',
  'event-bus': 'Zq9x bus name',
  'azure-openai-key': 'Zq9x'.repeat(8),
  'azure-openai-endpoint': 'https://Zq9x.cognitiveservices.azure.com',
  'api-version': '2024-02-30-Zq9x',
  'azure-deployment': 'Zq9x deploy',
  'openai-key': 'Zq9x-openai-key',
  'secret-32': 'Zq9x-short-secret',
  'base64-32': `Zq9x${'A'.repeat(39)}-`,
  numeric: 'Zq9x1234',
  'user-agent': 'Zq9x-agent',
  'google-client-id': 'Zq9x-client-id',
  'stripe-secret-key': 'sk_prod_Zq9x',
  'stripe-webhook-secret': 'wh_Zq9x',
  'stripe-publishable-key': 'pk_prod_Zq9x',
  port: '98765',
  'node-env': 'Zq9x-env',
  boolean: 'Zq9x-bool',
  'resend-key': 'rk_Zq9x',
  'sentry-dsn': 'https://Zq9x.ingest.sentry.io/1',
  'logrocket-app-id': 'Zq9x-app',
  'datadog-api-key': 'Zq9x'.repeat(8),
  'iso-date-time': 'Zq9x-11-24T10:00:00Z',
  hostname: 'Zq9x host',
}

t.test('no format message echoes the value it rejected', async (t) => {
  for (const [name, v] of Object.entries(distinctiveBad) as [FormatName, string][]) {
    const problem = formats[name](v)
    t.type(problem, 'string', `${name} rejects ${JSON.stringify(v)}`)
    t.notOk(problem?.includes(v.trim() || v), `${name}: its message does not contain ${JSON.stringify(v)}`)
    // the distinctive part alone would also give the value away
    if (v.includes('Zq9x')) t.notMatch(problem ?? '', /Zq9x/, `${name}: its message quotes no part of the value`)
  }
})

t.test('length messages report the length, never a prefix of the value', async (t) => {
  const secret = 'S3CRETS3CRETS3CRETS3'
  for (const name of ['azure-openai-key', 'secret-32', 'base64-32'] as const) {
    const problem = formats[name](secret) ?? ''
    t.match(problem, /20/, `${name} says how long the value was`)
    t.notMatch(problem, /S3CRET/, `${name} does not quote the value`)
  }
})

t.test('s3-bucket rejects every reserved prefix and suffix of the AWS bucket naming rules', async (t) => {
  for (const v of ['amzn-s3-demo-media', 'media-bucket.mrap', 'media-bucket--x-s3', 'media-bucket--table-s3']) {
    t.type(formats['s3-bucket'](v), 'string', v)
  }
})

t.test('sqs-queue-urls accepts FIFO queue URLs (names ending in .fifo)', async (t) => {
  t.equal(formats['sqs-queue-urls']('https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo'), null)
  t.type(
    formats['sqs-queue-urls']('https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fi.fo'),
    'string',
    'only as a suffix',
  )
})

t.test('hostname accepts an IPv6 address, as its message promises', async (t) => {
  t.equal(formats.hostname('::1'), null)
  t.equal(formats.hostname('fd00::10'), null)
})

t.test('api-version accepts a leap day only in leap years', async (t) => {
  t.equal(formats['api-version']('2024-02-29'), null)
  t.match(formats['api-version']('2023-02-29'), /real calendar date/)
  t.match(formats['api-version']('2100-02-29'), /real calendar date/)
  t.equal(formats['api-version']('2024-02-29-preview'), null)
  t.match(formats['api-version']('2024-02-30-preview'), /real calendar date/)
})

t.test('base64-32 explains which part of the rule failed', async (t) => {
  t.match(formats['base64-32'](key32.slice(0, 43)), /44 characters.*got 43/)
  t.match(formats['base64-32'](key32.replace(/=$/, 'A')), /ending in one =/)
  t.match(formats['base64-32'](`${key32.slice(0, 10)}-${key32.slice(11)}`), /standard base64/)
})

t.test('sqs-queue-urls names the position of the bad URL in the list', async (t) => {
  const good = 'https://sqs.eu-west-1.amazonaws.com/123456789012/media-jobs'
  t.match(formats['sqs-queue-urls'](`${good},${good},https://sqs.eu-west-1.amazonaws.com/1/x`), /#3/)
})

t.test('redirectUriProblem', async (t) => {
  const app = 'https://app.huntaze.com'
  const cases: [string, string, string | undefined, string, RegExp | null][] = [
    ['exact match', 'https://app.huntaze.com/auth/instagram/callback', app, 'instagram', null],
    [
      'exact match when the app URL ends in a slash',
      'https://app.huntaze.com/auth/tiktok/callback',
      `${app}/`,
      'tiktok',
      null,
    ],
    ['exact match with a port', 'http://localhost:3000/auth/reddit/callback', 'http://localhost:3000', 'reddit', null],
    [
      'wrong path',
      'https://app.huntaze.com/auth/instagram/return',
      app,
      'instagram',
      /wrong path \/auth\/instagram\/return/,
    ],
    ["another provider's callback", 'https://app.huntaze.com/auth/tiktok/callback', app, 'instagram', /wrong path/],
    ['other origin', 'https://evil.example.com/auth/instagram/callback', app, 'instagram', /not on the app's origin/],
    ['other scheme', 'http://app.huntaze.com/auth/instagram/callback', app, 'instagram', /not on the app's origin/],
    ['other port', 'https://app.huntaze.com:8443/auth/instagram/callback', app, 'instagram', /not on the app's origin/],
    ['trailing slash', 'https://app.huntaze.com/auth/instagram/callback/', app, 'instagram', /wrong path/],
    ['query string', 'https://app.huntaze.com/auth/instagram/callback?x=1', app, 'instagram', /wrong path .*\?x=1/],
    ['not a URL', 'auth/instagram/callback', app, 'instagram', /is not a URL/],
    [
      'missing app URL',
      'https://app.huntaze.com/auth/instagram/callback',
      undefined,
      'instagram',
      /NEXT_PUBLIC_APP_URL.*\/auth\/instagram\/callback/,
    ],
    [
      'app URL that is not a URL',
      'https://app.huntaze.com/auth/instagram/callback',
      'app.huntaze.com',
      'instagram',
      /NEXT_PUBLIC_APP_URL/,
    ],
  ]
  for (const [what, uri, appUrl, provider, expected] of cases) {
    const problem = redirectUriProblem(uri, appUrl, provider)
    if (expected === null) t.equal(problem, null, what)
    else t.match(problem, expected, what)
  }
  t.match(
    redirectUriProblem('https://app.huntaze.com/x', app, 'reddit'),
    /expected https:\/\/app\.huntaze\.com\/auth\/reddit\/callback/,
    'says what is expected',
  )
})

t.test('stripeKeyMode', async (t) => {
  const cases: [string | undefined, 'live' | 'test' | null][] = [
    ['sk_live_abc', 'live'],
    ['sk_test_abc', 'test'],
    ['rk_live_abc', 'live'],
    ['rk_test_abc', 'test'],
    ['pk_live_abc', 'live'],
    ['pk_test_abc', 'test'],
    ['whsec_abc', null],
    ['sk_prod_abc', null],
    ['', null],
    [undefined, null],
  ]
  for (const [key, mode] of cases) t.equal(stripeKeyMode(key), mode, String(key))
})

t.test('parseBoolean and isHttps', async (t) => {
  for (const v of ['true', 'TRUE', '1', 'yes', 'on', ' true ']) t.equal(parseBoolean(v, false), true, v)
  for (const v of ['false', '0', 'no', 'off']) t.equal(parseBoolean(v, true), false, v)
  t.equal(parseBoolean(undefined, true), true, 'fallback when unset')
  t.equal(parseBoolean(undefined, false), false, 'fallback when unset')
  t.equal(isHttps('https://app.huntaze.com'), true)
  t.equal(isHttps('http://app.huntaze.com'), false)
  t.equal(isHttps('not a url'), false)
})

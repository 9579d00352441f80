import t from 'tap'
import { Buffer } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import { createSanitizer, FRAGMENT_MIN_LENGTH } from '../../src/sanitize.js'
import { createLogger } from '../../src/logger.js'
import { captureLogs } from '../support/helpers.js'
import { BASIC_USER, echoed, noSecrets } from '../support/secrets.js'

const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const rand = (n: number) => Array.from(randomBytes(n), (b) => alphanumeric[b % alphanumeric.length]).join('')
// distinctive ends, and characters that URL encoding changes
const secretValue = () => `Qx7${rand(14)}/${rand(6)}+${rand(6)}Jk9`
const b64 = (s: string) => Buffer.from(s).toString('base64')

t.test('a secret is scrubbed whole, and by every part and encoding that gives it away', async (t) => {
  const s = secretValue()
  const scrub = createSanitizer([s])
  const forms: Record<string, string> = {
    whole: `invalid token ${s} received`,
    'cut at the end of the text': `invalid token ${s.slice(0, 5)}`,
    'cut with a marker': `invalid token ${s.slice(0, 4)}... received`,
    'cut with an ellipsis': `invalid token ${s.slice(0, 6)}\u2026`,
    'masked with dots': `token ${s.slice(0, 8)}...${s.slice(-6)} is invalid`,
    'masked with stars': `token ${s.slice(0, 8)}****${s.slice(-6)} is invalid`,
    'only the last four': `token ****${s.slice(-4)} is invalid`,
    'a run of eight from the middle': `token ${s.slice(9, 17)} is invalid`,
    'a longer run': `token ${s.slice(3, 25)} is invalid`,
    'URL-encoded': `client_secret=${encodeURIComponent(s)}&grant_type=client_credentials`,
    'form-encoded': new URLSearchParams({ client_secret: s, grant_type: 'x' }).toString(),
    'JSON-escaped': JSON.stringify({ token: s }),
    base64: `credential ${b64(s)} received`,
    'base64 without padding': `credential ${b64(s).replace(/=+$/, '')}`,
    base64url: `credential ${b64(s).replace(/\+/g, '-').replace(/\//g, '_')}`,
    'Basic auth': `Authorization: Basic ${b64(`${BASIC_USER}:${s}`)}`,
    'Basic auth, another user': `Authorization: Basic ${b64(`someone-else:${s}`)}`,
    'inside a longer base64 string': `payload ${b64(`{"a":1,"key":"${s}","b":2}`)}`,
  }
  for (const [what, text] of Object.entries(forms)) {
    const out = scrub(text)
    t.match(out, /\[redacted\]/, `${what}: redacted`)
    noSecrets(t, [echoed(s, 'the secret')], { [what]: out })
  }
})

t.test('the text around a secret is kept', async (t) => {
  const s = secretValue()
  const scrub = createSanitizer([s])
  t.equal(
    scrub(`Upstash said: bad token ${s}; check the setting`),
    'Upstash said: bad token [redacted]; check the setting',
  )
  t.equal(scrub(`mask ${s.slice(0, 8)}...${s.slice(-6)}!`), 'mask [redacted]...[redacted]!')
  t.equal(scrub('nothing secret here, 127.0.0.1:5432 answered'), 'nothing secret here, 127.0.0.1:5432 answered')
})

t.test('words, numbers and public parts that a secret shares with ordinary text are not fragments', async (t) => {
  const scrub = createSanitizer([
    'sentinel-wrong-pg-password-7f3a',
    'postgres://health_pw:pw-Zq9xK2mP7@127.0.0.1:5432/postgres',
    'sk_test_Zq9xK2mP7wQ4rT8yU1',
    'key0123456789abcdef',
  ])
  const ordinary = [
    'password authentication failed for user "health_pw" at postgres 127.0.0.1:5432',
    'account 123456789012 as arn:aws:iam::123456789012:user/health-test',
    'STRIPE_SECRET_KEY must start with sk_live_ or sk_test_',
  ]
  for (const text of ordinary) t.equal(scrub(text), text, text)
  t.equal(scrub('login with pw-Zq9xK2mP7 refused'), 'login with [redacted] refused', "a URL's password is a secret")
  t.equal(scrub('key Zq9xK2mP7wQ4 refused'), 'key [redacted] refused', "a key's own part, without its prefix")
})

t.test(`a secret shorter than ${FRAGMENT_MIN_LENGTH} characters is scrubbed whole only`, async (t) => {
  const scrub = createSanitizer(['Ab3x9'])
  t.equal(scrub('token Ab3x9 refused'), 'token [redacted] refused')
  t.equal(scrub('token Ab3x... refused'), 'token Ab3x... refused', 'four characters of five would match anything')
})

t.test('credential shapes of secrets it was not given are scrubbed too', async (t) => {
  const scrub = createSanitizer([])
  // Composed at run time so the repository holds nothing shaped like a live key.
  const liveShaped = ['sk', 'live', 'FAKEFAKEFAKE'].join('_')
  t.equal(scrub(`key ${liveShaped} refused`), 'key [redacted] refused')
  t.equal(scrub('redis://user:hunter2hunter@host:6379'), 'redis://user:[redacted]@host:6379')
})

t.test('the log path scrubs every string, error messages and stacks included, then cuts quotes', async (t) => {
  const s = secretValue()
  const logs = captureLogs()
  const log = createLogger('debug', createSanitizer([s]), logs.stream)
  log.error(new Error(`connect failed with ${s}`))
  log.warn({ err: new TypeError(`bad header ${s.slice(0, 8)}...`), check: 'x' }, 'probe failed')
  log.info({ nested: { list: [`token ${s}`], at: new Date(0) } }, `message ${s.slice(0, 6)}`)
  const lines = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  t.equal(lines.length, 3)
  const [first, second, third] = lines as [
    { err: { type: string; message: string; stack: string }; msg: string },
    { err: { type: string; message: string }; check: string; msg: string },
    { nested: { list: string[]; at: string }; msg: string },
  ]
  t.equal(first.err.type, 'Error', 'an error keeps its type')
  t.equal(first.err.message, 'connect failed with [redacted]', 'and its message, scrubbed')
  t.match(first.err.stack, /^Error: connect failed with \[redacted\]\n\s+at /, 'and its stack, scrubbed')
  t.equal(first.msg, 'connect failed with [redacted]')
  t.equal(second.err.type, 'TypeError')
  t.equal(second.err.message, 'bad header [redacted]...')
  t.equal(second.check, 'x')
  t.same(third.nested, { list: ['token [redacted]'], at: '1970-01-01T00:00:00.000Z' })
  t.equal(third.msg, 'message [redacted]')
  noSecrets(t, [echoed(s, 'the secret')], { 'the log lines': logs.text() })
})

import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { createSanitizer } from '../../src/sanitize.js'

const load = (env: Record<string, string>) => loadConfig(env, { envFile: false })
const T1 = 'a-token-of-thirty-two-characters'
const T2 = 'another-token-of-32-characters!!'.replace(/!/g, 'x')

t.test('with nothing set, details need a token, and there is none', async (t) => {
  const config = load({})
  t.equal(config.health.HEALTH_DETAILS, 'authorized')
  t.equal(config.health.HEALTH_AUTH_TOKENS, '')
})

t.test('HEALTH_DETAILS takes always, authorized or never, and nothing else', async (t) => {
  for (const level of ['always', 'authorized', 'never'])
    t.equal(load({ HEALTH_DETAILS: level }).health.HEALTH_DETAILS, level)
  const err = t.throws(() => load({ HEALTH_DETAILS: 'sometimes' }), ConfigError) as Error
  t.match(err.message, /HEALTH_DETAILS: expected one of always, authorized, never/)
})

t.test('every token is a secret, scrubbed from whatever leaves the process', async (t) => {
  const config = load({ HEALTH_AUTH_TOKENS: `${T1}, ${T2}` })
  t.ok(config.secrets.includes(T1) && config.secrets.includes(T2))
  t.equal(createSanitizer(config.secrets)(`sent ${T1} then ${T2}`), 'sent [redacted] then [redacted]')
})

t.test('a short token fails at start, naming which one and its length, never the token', async (t) => {
  const short = 'short-but-secret'.slice(0, 15)
  const err = t.throws(() => load({ HEALTH_AUTH_TOKENS: `${T1},${short}` }), ConfigError) as Error
  t.match(err.message, /HEALTH_AUTH_TOKENS: token 2 of 2 has 15 characters, expected at least 16/)
  t.notOk(err.message.includes(short))
  t.notOk(err.message.includes(T1))
})

t.test('a token a bearer header cannot carry fails at start, never shown', async (t) => {
  const spaced = 'has a space inside it and is long'
  const err = t.throws(() => load({ HEALTH_AUTH_TOKENS: spaced }), ConfigError) as Error
  t.match(err.message, /HEALTH_AUTH_TOKENS: token 1 of 1 has a character a bearer token cannot carry/)
  t.notOk(err.message.includes('space inside'))
})

t.test('commas alone are no token: nothing to fail, nobody authorized', async (t) => {
  t.equal(load({ HEALTH_AUTH_TOKENS: ' , ,' }).secrets.length, 0)
})

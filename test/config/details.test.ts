import t from 'tap'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parse } from 'dotenv'
import { ConfigError, loadConfig } from '../../src/config.js'
import { createSanitizer } from '../../src/sanitize.js'
import { bearerToken } from '../support/helpers.js'

const load = (env: Record<string, string>) => loadConfig(env, { envFile: false })
const T1 = bearerToken()
const T2 = bearerToken()

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
  const short = bearerToken().slice(0, 31)
  const err = t.throws(() => load({ HEALTH_AUTH_TOKENS: `${T1},${short}` }), ConfigError) as Error
  t.match(err.message, /HEALTH_AUTH_TOKENS: token 2 of 2 has 31 characters, expected at least 32/)
  t.notOk(err.message.includes(short))
  t.notOk(err.message.includes(T1))
})

t.test("the example file's token fails at start: a copied example never reaches a cluster", async (t) => {
  const example = parse(readFileSync(new URL('../../deploy/kubernetes/secret.env.example', import.meta.url)))
  const placeholder = example.HEALTH_AUTH_TOKENS
  t.ok(placeholder.length >= 32, 'long enough: refused for what it is, not for its length')
  const err = t.throws(() => load({ HEALTH_AUTH_TOKENS: `${T1},${placeholder}` }), ConfigError) as Error
  t.match(
    err.message,
    /HEALTH_AUTH_TOKENS: token 2 of 2 is a placeholder, not a generated secret.*openssl rand -hex 32/,
  )
  t.notOk(err.message.includes(placeholder), 'never quoted')
  t.notOk(/replace-with|rand-hex/.test(err.message), 'nor a part of it')
})

t.test('placeholders and patterns of full length fail at start, each named by position', async (t) => {
  const refused = {
    placeholder: [
      'change-me-change-me-change-me-change-me',
      'your-health-service-token-goes-here-0123',
      'EXAMPLE0123456789EXAMPLE0123456789EXAMPLE',
      'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'FIXME-put-the-real-one-in-here-before-deploy',
    ],
    pattern: [
      'a'.repeat(64),
      '0123456789abcdef'.repeat(4),
      'abcdefghijklmnopqrstuvwxyzab'.repeat(2),
      '0101010101'.repeat(4),
    ],
  }
  for (const [kind, tokens] of Object.entries(refused))
    for (const token of tokens) {
      const err = t.throws(() => load({ HEALTH_AUTH_TOKENS: `${token},${T1}` }), ConfigError, token) as Error
      t.match(err.message, new RegExp(`token 1 of 2 is a ${kind}`), `${token.slice(0, 12)}...: a ${kind}`)
      t.notOk(err.message.includes(token), 'never quoted')
    }
})

t.test('generated tokens pass: openssl rand -hex 16 and 32, and -base64 32', async (t) => {
  // hex can spell none of the placeholder words, so any draw must pass
  for (let i = 0; i < 200; i++) {
    const tokens = [randomBytes(16).toString('hex'), randomBytes(32).toString('hex')]
    t.doesNotThrow(() => load({ HEALTH_AUTH_TOKENS: tokens.join(',') }), tokens.map((x) => x.length).join(' '))
  }
  t.doesNotThrow(() => load({ HEALTH_AUTH_TOKENS: 'q3Jz0V+7mH/2bXwK1sLr8yTn4oP6dFgE9uCiAaZeW5M=' }), 'base64')
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

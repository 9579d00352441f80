import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { createSanitizer } from '../../src/sanitize.js'

const load = (env: Record<string, string>) => loadConfig(env, { envFile: false })

t.test('HEALTH_FLEET_REDIS_URL: unset is no fleet; a redis:// or rediss:// URL is one', async (t) => {
  t.equal(load({}).health.HEALTH_FLEET_REDIS_URL, '')
  for (const url of ['redis://127.0.0.1:6379', 'rediss://:pw@redis.internal:6380/2'])
    t.equal(load({ HEALTH_FLEET_REDIS_URL: url }).health.HEALTH_FLEET_REDIS_URL, url)
})

t.test('another URL fails at start, never quoted', async (t) => {
  for (const url of ['http://redis.internal:6379', 'redis.internal:6379', 'not a url']) {
    const err = t.throws(() => load({ HEALTH_FLEET_REDIS_URL: url }), ConfigError) as Error
    t.match(err.message, /HEALTH_FLEET_REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/)
    t.notOk(err.message.includes(url), 'the value is not echoed')
  }
})

t.test('its password is a secret, scrubbed as written and decoded', async (t) => {
  const config = load({ HEALTH_FLEET_REDIS_URL: 'redis://:s3cr%2Ft-fleet-pw@redis.internal:6379' })
  const scrub = createSanitizer(config.secrets)
  t.equal(scrub('auth s3cr/t-fleet-pw failed'), 'auth [redacted] failed')
  t.notMatch(scrub(config.health.HEALTH_FLEET_REDIS_URL), /s3cr/)
})

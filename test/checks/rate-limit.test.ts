import t from 'tap'
import rateLimit from '../../src/checks/rate-limit.js'
import { findingsOf, testConfig } from '../support/helpers.js'

t.test('rate-limit: enabled without Upstash is a warning', async (t) => {
  const upstash = { UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'tok' }
  const enabledByDefault = findingsOf(rateLimit, testConfig({}))
  t.equal(enabledByDefault.length, 1, 'enabled by default')
  t.equal(enabledByDefault[0]?.severity, 'warn')
  t.match(enabledByDefault[0]?.message, /UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN/)
  t.same(findingsOf(rateLimit, testConfig({ RATE_LIMIT_ENABLED: 'true', ...upstash })), [], 'enabled with Upstash')
  t.same(findingsOf(rateLimit, testConfig({ RATE_LIMIT_ENABLED: 'false' })), [], 'disabled')
  t.same(findingsOf(rateLimit, testConfig({ RATE_LIMIT_ENABLED: 'off' })), [], 'disabled with off')
  const half = findingsOf(
    rateLimit,
    testConfig({ RATE_LIMIT_ENABLED: 'yes', UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io' }),
  )
  t.equal(half.length, 1, 'half of Upstash')
  t.match(half[0]?.message, /UPSTASH_REDIS_REST_TOKEN is not set/)
  t.notMatch(half[0]?.message, /UPSTASH_REDIS_REST_URL/)
})

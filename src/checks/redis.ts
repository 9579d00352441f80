import { randomUUID } from 'node:crypto'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck } from './types.js'

export default defineCheck({
  name: 'redis',
  tier: 'optional',
  componentType: 'datastore',
  live: true,
  cache: 'infrastructure',
  description: 'A SET with expiry and a GET of the same key round-trip',
  async start(ctx) {
    const { Redis } = await import('ioredis')
    const timeout = ctx.timeoutMs
    // no offline queue and no reconnect loop: a down Redis fails the probe at once, the next probe reconnects
    const client = new Redis(ctx.config.settings.REDIS_URL, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: timeout,
      commandTimeout: timeout,
      connectionName: 'huntaze-health',
    })
    // the connection's own error (WRONGPASS, ECONNREFUSED) explains a later "Connection is closed"
    let lastError: (Error & { code?: string }) | undefined
    client.on('error', (err) => {
      lastError = err
      ctx.log.debug({ check: 'redis', err: err.message }, 'redis connection error')
    })
    const key = `huntaze-health:probe:${randomUUID()}`
    const target = `${client.options.host}:${client.options.port}`
    return {
      async run(signal) {
        lastError = undefined
        const onAbort = () => client.disconnect()
        signal.addEventListener('abort', onAbort, { once: true })
        try {
          if (client.status === 'wait' || client.status === 'end' || client.status === 'close') await client.connect()
          const value = String(Date.now())
          const started = performance.now()
          await client.set(key, value, 'PX', 60_000)
          const got = await client.get(key)
          const roundTripMs = Math.round((performance.now() - started) * 100) / 100
          if (got !== value)
            throw new CheckError(Reason.BAD_RESPONSE, `GET returned another value than the SET stored at ${target}`)
          return { details: { roundTripMs, target } }
        } catch (err) {
          // set by the 'error' listener while we awaited, which the compiler cannot see
          const last = lastError as (Error & { code?: string }) | undefined
          const msg = `${(err as Error).message ?? ''} ${last?.message ?? ''}`
          if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(msg)) {
            throw new CheckError(
              Reason.AUTH_FAILED,
              `authentication refused by ${target}: check the user and password in REDIS_URL`,
            )
          }
          if (/Command timed out/i.test(msg))
            throw new CheckError(Reason.TIMEOUT, `no answer from ${target} within ${timeout}ms`)
          if (/READONLY/.test(msg))
            throw new CheckError(
              Reason.UPSTREAM_ERROR,
              `${target} is a read-only replica: point REDIS_URL at the primary`,
            )
          if (last?.code) throw last
          if (/Stream isn't writeable|Connection is closed/i.test(msg))
            throw new CheckError(Reason.CONNECTION_RESET, `the connection to ${target} closed before answering`)
          throw err
        } finally {
          signal.removeEventListener('abort', onAbort)
        }
      },
      close: async () => {
        client.disconnect()
      },
    }
  },
})

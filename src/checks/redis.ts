import { randomUUID } from 'node:crypto'
import { Reason } from '../reasons.js'
import { readCap } from './lib/read-cap.js'
import { CheckError, defineCheck } from './types.js'

export default defineCheck({
  name: 'redis',
  tier: 'optional',
  componentType: 'datastore',
  live: true,
  scope: 'local',
  cache: 'infrastructure',
  description: 'A SET with expiry and a GET of the same key round-trip',
  async start(ctx) {
    const { Redis } = await import('ioredis')
    const timeout = ctx.timeoutMs
    // the connection's own error (WRONGPASS, ECONNREFUSED) explains a later "Connection is closed"
    let lastError: (Error & { code?: string }) | undefined
    const open = () => {
      // no offline queue and no reconnect loop: a down Redis fails the probe at once, the next probe reconnects
      const c = new Redis(ctx.config.settings.REDIS_URL, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: ctx.clientTimeoutMs,
        commandTimeout: ctx.clientTimeoutMs,
        connectionName: 'huntaze-health',
        // no INFO before the first command: a user without it (the probe needs SET and GET only) is not refused,
        // ioredis prints nothing, and a loading server answers LOADING to the command itself
        enableReadyCheck: false,
      })
      // a discarded client may still report its end: it must not crash the process nor explain a later probe
      c.on('error', (err: Error & { code?: string }) => {
        if (c === client) lastError = err
        ctx.log.debug({ check: 'redis', err: err.message }, 'redis connection error')
      })
      c.on('connect', () => {
        if (c.stream) cap.watch(c.stream)
      })
      return c
    }
    let client = open()
    const target = `${client.options.host}:${client.options.port}`
    const cap = readCap(target)
    // a connection that failed (timed out, answered garbage, was cut) is closed at once and never reused
    const discard = () => {
      client.disconnect()
      client = open()
    }
    const key = `huntaze-health:probe:${randomUUID()}`

    async function attempt(c: typeof client): Promise<{ details: Record<string, string | number> }> {
      if (c.status === 'wait') await c.connect()
      const value = String(Date.now())
      const started = performance.now()
      await c.set(key, value, 'PX', 60_000)
      const got = await c.get(key)
      const roundTripMs = Math.round((performance.now() - started) * 100) / 100
      if (got !== value)
        throw new CheckError(Reason.BAD_RESPONSE, `GET returned another value than the SET stored at ${target}`)
      return { details: { roundTripMs, target } }
    }

    function explain(err: unknown): never {
      // set by the 'error' listener while we awaited, which the compiler cannot see
      const last = lastError
      if (err instanceof CheckError) throw err
      if (last instanceof CheckError) throw last
      const msg = `${(err as Error).message ?? ''} ${last?.message ?? ''}`
      if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(msg)) {
        throw new CheckError(
          Reason.AUTH_FAILED,
          `authentication refused by ${target}: check the user and password in REDIS_URL`,
        )
      }
      const denied = /NOPERM(?:[^']*'(\w+)' command)?/.exec(msg)
      if (denied)
        throw new CheckError(
          Reason.FORBIDDEN,
          `${target} refused ${denied[1] ? `the ${denied[1].toUpperCase()} command` : 'the probe key'} to the user of REDIS_URL (its ACL): the probe needs SET and GET on the keys huntaze-health:*, for example ACL SETUSER <user> +set +get ~huntaze-health:*`,
        )
      if (/Command timed out|connect ETIMEDOUT/i.test(msg))
        throw new CheckError(Reason.TIMEOUT, `no answer from ${target} within ${timeout}ms`)
      if (/READONLY/.test(msg))
        throw new CheckError(Reason.UPSTREAM_ERROR, `${target} is a read-only replica: point REDIS_URL at the primary`)
      if (/LOADING|Redis is loading/.test(msg))
        throw new CheckError(
          Reason.UNAVAILABLE,
          `${target} is loading its data set after a restart and answers nothing else`,
        )
      if (/Protocol error/i.test(msg))
        throw new CheckError(
          Reason.BAD_RESPONSE,
          `${target} answered something that is not the Redis protocol: it is not a Redis server`,
        )
      if (last?.code) throw last
      if (/Stream isn't writeable|Connection is closed/i.test(msg))
        throw new CheckError(Reason.CONNECTION_RESET, `the connection to ${target} closed before answering`)
      throw err
    }

    return {
      async run(signal) {
        lastError = undefined
        cap.reset()
        // a connection that closed while idle says nothing of the server now: start from a new one
        if (client.status !== 'wait' && client.status !== 'ready') discard()
        // the client this probe uses: a probe cancelled at its timeout ends later, and must then close its own
        // client, never the one a newer probe already uses
        let mine = client
        const onAbort = () => mine.disconnect()
        signal.addEventListener('abort', onAbort, { once: true })
        try {
          const reused = client.status === 'ready'
          try {
            return await attempt(mine)
          } catch (err) {
            if (!reused || signal.aborted || !/Stream isn't writeable|Connection is closed/i.test(String(err)))
              throw err
            discard()
            mine = client
            lastError = undefined
            return await attempt(mine)
          }
        } catch (err) {
          if (client === mine) discard()
          else mine.disconnect()
          explain(err)
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

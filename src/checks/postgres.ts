import type pg from 'pg'
import { parse } from 'pg-connection-string'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type PresentSettings } from './types.js'

// DATABASE_HOST/PORT/NAME/USER/PASSWORD complete or override the URL.
export function poolConfig(s: PresentSettings<'DATABASE_URL'>, timeoutMs: number): pg.PoolConfig {
  const url = parse(s.DATABASE_URL)
  return {
    ...(url as pg.PoolConfig),
    host: s.DATABASE_HOST ?? url.host ?? undefined,
    port: s.DATABASE_PORT ? Number(s.DATABASE_PORT) : url.port ? Number(url.port) : undefined,
    database: s.DATABASE_NAME ?? url.database ?? undefined,
    user: s.DATABASE_USER ?? url.user,
    password: s.DATABASE_PASSWORD ?? url.password,
    max: 1,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: 'huntaze-health',
    allowExitOnIdle: true,
  }
}

const sqlStates: Record<string, [Reason: (typeof Reason)[keyof typeof Reason], hint: string]> = {
  '28P01': [Reason.AUTH_FAILED, 'check the password in DATABASE_URL or DATABASE_PASSWORD'],
  '28000': [Reason.AUTH_FAILED, 'check the user in DATABASE_URL or DATABASE_USER, and pg_hba.conf'],
  '3D000': [Reason.NOT_FOUND, 'check the database name in DATABASE_URL or DATABASE_NAME'],
  '57P03': [Reason.UPSTREAM_ERROR, 'the server is starting up or shutting down'],
  '53300': [Reason.UPSTREAM_ERROR, 'the server has no connection slot left (max_connections)'],
  '57014': [Reason.TIMEOUT, 'the query was cancelled by statement_timeout'],
}

function explain(err: unknown, target: string): never {
  const e = err as { code?: string; message?: string }
  const known = e.code ? sqlStates[e.code] : undefined
  if (known) throw new CheckError(known[0], `${e.message} at ${target}: ${known[1]}`)
  if (e.message && /timeout|timed out/i.test(e.message) && !e.code) {
    throw new CheckError(Reason.TIMEOUT, `no answer from ${target} within the timeout (${e.message})`)
  }
  throw err
}

export default defineCheck({
  name: 'postgres',
  tier: 'critical',
  componentType: 'datastore',
  live: true,
  cache: 'infrastructure',
  description: 'A connection authenticates and SELECT 1 answers',
  async start(ctx) {
    const { default: pgModule } = await import('pg')
    const timeout = ctx.timeoutMs
    const config = poolConfig(ctx.config.settings, timeout)
    const target = `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? ''}`
    const pool = new pgModule.Pool(config)
    // an idle client that dies (server restart) must not crash the process
    pool.on('error', (err) => ctx.log.debug({ check: 'postgres', err: err.message }, 'idle connection closed'))
    return {
      async run(signal) {
        let client: pg.PoolClient
        try {
          client = await pool.connect()
        } catch (err) {
          explain(err, target)
        }
        // a probe that times out destroys its connection, so no socket or pool slot is left behind
        let destroyed = false
        const onAbort = () => {
          destroyed = true
          client.release(new Error('probe aborted'))
        }
        if (signal.aborted) onAbort()
        signal.addEventListener('abort', onAbort, { once: true })
        // a checked-out client whose server vanishes emits 'error'; the failed query reports it
        const onError = () => undefined
        client.on('error', onError)
        try {
          const started = performance.now()
          const res = await client.query<{ ok: number; version: string }>(
            "SELECT 1 AS ok, current_setting('server_version') AS version",
          )
          const queryMs = Math.round((performance.now() - started) * 100) / 100
          if (res.rows[0]?.ok !== 1) throw new CheckError(Reason.BAD_RESPONSE, 'SELECT 1 did not answer 1')
          return { details: { serverVersion: res.rows[0].version, queryMs, target } }
        } catch (err) {
          // a connection that failed a query is not trusted again
          destroyed = true
          client.release(err as Error)
          explain(err, target)
        } finally {
          signal.removeEventListener('abort', onAbort)
          client.off('error', onError)
          if (!destroyed) client.release()
        }
      },
      close: () => pool.end(),
    }
  },
})

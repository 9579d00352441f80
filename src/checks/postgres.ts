import { Socket } from 'node:net'
import type pg from 'pg'
import { parse } from 'pg-connection-string'
import { Reason } from '../reasons.js'
import { readCap, READ_CAP_BYTES } from './lib/read-cap.js'
import { CheckError, defineCheck, type PresentSettings } from './types.js'

// DATABASE_HOST/PORT/NAME/USER/PASSWORD complete or override the URL.
// timeoutMs: the clients' own timers (CheckContext.clientTimeoutMs), which run a little past the probe's timeout.
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
  '57P01': [Reason.UNAVAILABLE, 'the server is shutting down or restarting (an administrator command or a failover)'],
  '57P02': [Reason.UNAVAILABLE, 'the server is restarting after a crash of one of its processes'],
  '57P03': [Reason.UNAVAILABLE, 'the server is starting up or shutting down'],
  '53300': [Reason.UPSTREAM_ERROR, 'the server has no connection slot left (max_connections)'],
  '57014': [Reason.TIMEOUT, 'the query was cancelled by statement_timeout'],
}

// The connection died under the query: no SQLSTATE, the socket closed or was reset.
function connectionLost(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return true
  return !e.code && /Connection terminated unexpectedly|not queryable/i.test(e.message ?? '')
}

// The server ended this session (an administrator, a crash of a sibling process): on a pooled connection that may
// have happened long before this probe, so it is asked again on a new one.
function terminated(err: unknown): boolean {
  const code = (err as { code?: string }).code
  return code === '57P01' || code === '57P02'
}

// A password for a server that asks for one when none is set: refused here, so that no empty or guessed password
// (pg would hash the word "undefined") is sent, and the finding names the settings instead of pg's SASL wording.
// pg calls it as a method of the client that connects, which it leaves open on this error: `refused` keeps it.
function noPassword(target: string, refused: Set<object>): (this: object) => never {
  return function (this: object) {
    refused.add(this)
    throw new CheckError(
      Reason.AUTH_FAILED,
      `${target} asks for a password and none is set: put it in DATABASE_URL or DATABASE_PASSWORD`,
    )
  }
}

function explain(err: unknown, target: string): never {
  const e = err as { code?: string; message?: string }
  const known = e.code ? sqlStates[e.code] : undefined
  if (known) throw new CheckError(known[0], `${e.message} at ${target}: ${known[1]}`)
  // pg's SCRAM exchange fails before the server says anything: a mechanism it lacks, a signature that does not match
  if (!e.code && /^SASL: /.test(e.message ?? ''))
    throw new CheckError(
      Reason.AUTH_FAILED,
      `the SCRAM authentication with ${target} failed (${e.message}): check the password in DATABASE_URL or DATABASE_PASSWORD, and the server's password_encryption`,
    )
  if (e.message && /timeout|timed out/i.test(e.message) && !e.code) {
    throw new CheckError(Reason.TIMEOUT, `no answer from ${target} within the timeout (${e.message})`)
  }
  if (connectionLost(err) && !(err instanceof CheckError))
    throw new CheckError(Reason.CONNECTION_RESET, `the connection to ${target} closed before answering (${e.message})`)
  throw err
}

// The message types a PostgreSQL server sends (protocol 3); anything else, or a length past the read cap, is not
// PostgreSQL speaking.
const backendTypes = new Set([...'RKSZTDCENA123nstIGHWdcVv'].map((c) => c.charCodeAt(0)))

function framesOfPostgres(): (chunk: Buffer) => string | null {
  let skip = 0
  let head: number[] = []
  return (chunk) => {
    let i = 0
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i)
        skip -= n
        i += n
        continue
      }
      head.push(chunk[i++])
      if (head.length === 1 && !backendTypes.has(head[0]))
        return `answered a byte (0x${head[0].toString(16).padStart(2, '0')}) that starts no PostgreSQL message: it is not a PostgreSQL server`
      if (head.length === 5) {
        const length = ((head[1] << 24) | (head[2] << 16) | (head[3] << 8) | head[4]) >>> 0
        head = []
        if (length < 4 || length > READ_CAP_BYTES)
          return `announced a message of ${length} bytes, more than ${READ_CAP_BYTES}: it is not a PostgreSQL server`
        skip = length - 4
      }
    }
    return null
  }
}

export default defineCheck({
  name: 'postgres',
  tier: 'critical',
  componentType: 'datastore',
  live: true,
  scope: 'local',
  cache: 'infrastructure',
  description: 'A connection authenticates and SELECT 1 answers',
  async start(ctx) {
    const { default: pgModule } = await import('pg')
    const config = poolConfig(ctx.config.settings, ctx.clientTimeoutMs)
    const target = `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? ''}`
    const cap = readCap(target)
    // plain connections are read frame by frame; over TLS only the byte count can be watched
    const plain = !config.ssl
    // pg leaves the socket of a connection refused a password open until the server gives up (authentication_timeout,
    // a minute): those clients are kept here and their sockets closed
    const refused = new Set<object>()
    const pool = new pgModule.Pool({
      ...config,
      password: config.password || noPassword(target, refused),
      stream: () => {
        const socket = new Socket()
        cap.watch(socket, plain ? framesOfPostgres() : undefined)
        return socket
      },
    })
    // an idle client that dies (server restart) must not crash the process
    pool.on('error', (err) => ctx.log.debug({ check: 'postgres', err: err.message }, 'idle connection closed'))
    // clients that answered a probe before: one that died while idle says nothing of the server now
    const served = new WeakSet<pg.PoolClient>()

    async function attempt(
      signal: AbortSignal,
    ): Promise<{ stale: true } | { details: Record<string, string | number> }> {
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (err) {
        for (const c of refused) (c as { connection?: { stream?: Socket } }).connection?.stream?.destroy()
        refused.clear()
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
        served.add(client)
        return { details: { serverVersion: res.rows[0].version, queryMs, target } }
      } catch (err) {
        // a connection that failed a query is not trusted again
        destroyed = true
        client.release(err as Error)
        if (served.has(client) && (connectionLost(err) || terminated(err)) && !signal.aborted) return { stale: true }
        return explain(err, target)
      } finally {
        signal.removeEventListener('abort', onAbort)
        client.off('error', onError)
        if (!destroyed) client.release()
      }
    }

    return {
      async run(signal) {
        cap.reset()
        const first = await attempt(signal)
        if (!('stale' in first)) return first
        // once, on a new connection: the pooled one was closed by the server since its last probe
        const again = await attempt(signal)
        if ('stale' in again)
          throw new CheckError(Reason.CONNECTION_RESET, `the connection to ${target} closed before answering`)
        return again
      },
      close: () => pool.end(),
    }
  },
})

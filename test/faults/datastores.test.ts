import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import postgres from '../../src/checks/postgres.js'
import redis from '../../src/checks/redis.js'
import type { CheckDefinition } from '../../src/checks/types.js'
import { startFaultProxy, type FaultMode, type FaultOptions, type FaultProxy } from '../support/fakes/fault-proxy.js'
import { clientSockets } from '../support/fakes/sockets.js'
import { PG_URL, REDIS_URL } from '../support/helpers.js'
import { checkApp, MARGIN_MS, probe, type CheckApp } from '../support/probe.js'

// The fault matrix of the two datastores: each fault, through a TCP fault proxy in front of the real server, gives
// its reason within the timeout, leaves no socket open on either side, and the first probe after the heal passes.

const TIMEOUT_MS = 1000
const SETTLE_MS = 3000

// 'R' (an authentication message) announcing a 2 GB body: what a client that buffers whole messages would hold
const pgFloodHeader = Buffer.from([0x52, 0x7f, 0xff, 0xff, 0xf0])
// a bulk string of 500 MB, the most a RESP parser accepts
const redisFloodHeader = Buffer.from('$500000000\r\n')

interface Row {
  mode: FaultMode
  options?: FaultOptions
  reasons: string[]
  output?: RegExp
}

const rows = (floodPrefix: Buffer): Row[] => [
  { mode: 'refuse', reasons: ['REFUSED'] },
  { mode: 'hang', reasons: ['TIMEOUT'] },
  { mode: 'drop-syn', reasons: ['TIMEOUT'] },
  // each answer takes seconds at this pace
  { mode: 'drip', options: { dripMs: 400 }, reasons: ['TIMEOUT'] },
  { mode: 'reset', options: { resetAfterBytes: 3 }, reasons: ['CONNECTION_RESET'] },
  { mode: 'garbage', reasons: ['BAD_RESPONSE'] },
  {
    mode: 'flood',
    options: { floodPrefix },
    reasons: ['BAD_RESPONSE'],
    output: /answered more than 1048576 bytes to one probe|announced a message of \d+ bytes, more than 1048576/,
  },
]

// bounded: at most SETTLE_MS, polled every 50 ms
async function clientSideClosed(proxy: FaultProxy): Promise<number> {
  const end = Date.now() + SETTLE_MS
  let open = clientSockets(proxy.port, proxy.ownPorts())
  while (open > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50))
    open = clientSockets(proxy.port, proxy.ownPorts())
  }
  return open
}

async function proxySideClosed(proxy: FaultProxy): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), SETTLE_MS)))
  const closed = await Promise.race([proxy.allClosed().then(() => true as const), late])
  clearTimeout(timer)
  return closed
}

const errorLines = (c: CheckApp) =>
  c.logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50)

async function passes(t: Test, app: FastifyInstance, name: string, what: string): Promise<void> {
  const r = await probe(app, name, '?fresh')
  t.equal(r.entry.status, 'pass', `${what}: ${r.entry.reason ?? ''} ${r.entry.output ?? ''}`)
}

function matrix(def: CheckDefinition, upstreamPort: number, url: (port: number) => string, floodPrefix: Buffer) {
  for (const isolateProbes of [false, true]) {
    const where = isolateProbes ? 'probe thread' : 'inline'
    t.test(`${def.name}, ${where}: every fault is named, closes its sockets and heals`, async (t) => {
      const proxy = await startFaultProxy({ upstreamPort })
      t.teardown(() => proxy.close())
      const c = await checkApp(
        t,
        [def],
        { HEALTH_MIN_PROBE_INTERVAL_MS: '0', HEALTH_TIMEOUT_MS: String(TIMEOUT_MS), ...envFor(def, url(proxy.port)) },
        { isolateProbes },
      )
      await passes(t, c.app, def.name, 'through the proxy, before any fault')
      for (const row of rows(floodPrefix)) {
        await t.test(row.mode, async (t) => {
          await proxy.set(row.mode, row.options)
          const r = await probe(c.app, def.name, '?fresh')
          t.equal(r.entry.status, 'fail')
          t.ok(
            row.reasons.includes(r.entry.reason ?? ''),
            `${row.reasons.join(' or ')}: ${r.entry.reason} ${r.entry.output}`,
          )
          if (row.output) t.match(r.entry.output, row.output)
          t.ok(r.elapsedMs < TIMEOUT_MS + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
          t.ok(await proxySideClosed(proxy), `the proxy holds no connection (${proxy.open()} open)`)
          t.equal(await clientSideClosed(proxy), 0, 'the process holds no socket to the proxy')
          await proxy.set('pass')
          await passes(t, c.app, def.name, 'the first probe after the heal')
        })
      }
      await t.test('restart: the connection is cut, the port refuses, then it comes back', async (t) => {
        await proxy.set('restart', { restartMs: 1500 })
        const r = await probe(c.app, def.name, '?fresh')
        t.equal(r.entry.status, 'fail')
        t.ok(['REFUSED', 'CONNECTION_RESET'].includes(r.entry.reason ?? ''), `${r.entry.reason} ${r.entry.output}`)
        t.ok(await proxySideClosed(proxy), 'the proxy holds no connection')
        t.equal(await clientSideClosed(proxy), 0, 'the process holds no socket to the proxy')
        await proxy.passing()
        await passes(t, c.app, def.name, 'the first probe after the restart')
      })
      t.same(errorLines(c), [], 'a fault of the dependency is not an error of the service')
    })
  }
}

function envFor(def: CheckDefinition, url: string): Record<string, string> {
  return def.name === 'postgres' ? { DATABASE_URL: url } : { REDIS_URL: url }
}

const pgDatabase = new URL(PG_URL).pathname
const pgUser = new URL(PG_URL).username || 'postgres'
matrix(postgres, 5432, (port) => `postgres://${pgUser}@127.0.0.1:${port}${pgDatabase}`, pgFloodHeader)
matrix(redis, Number(new URL(REDIS_URL).port || 6379), (port) => `redis://127.0.0.1:${port}`, redisFloodHeader)

import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import postgres from '../../src/checks/postgres.js'
import redis from '../../src/checks/redis.js'
import type { CheckDefinition } from '../../src/checks/types.js'
import { startPasswordServer } from '../support/fakes/postgres-auth.js'
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

// The server asks for a password the URL lacks: AUTH_FAILED naming the settings, no password sent, no error log.
for (const isolateProbes of [false, true]) {
  const where = isolateProbes ? 'probe thread' : 'inline'
  t.test(`postgres, ${where}: a server that asks for a password none is set for`, async (t) => {
    for (const method of ['scram-sha-256', 'md5', 'password'] as const) {
      const server = await startPasswordServer(method)
      t.teardown(() => server.close())
      const c = await checkApp(
        t,
        [postgres],
        {
          HEALTH_MIN_PROBE_INTERVAL_MS: '0',
          HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
          DATABASE_URL: `postgres://app@127.0.0.1:${server.port}/app`,
        },
        { isolateProbes },
      )
      const r = await probe(c.app, 'postgres', '?fresh')
      t.equal(server.asked(), 1, `${method}: the server asked for a password`)
      t.equal(r.entry.status, 'fail')
      t.equal(r.entry.reason, 'AUTH_FAILED', `${method}: ${r.entry.output}`)
      t.match(r.entry.output, /asks for a password and none is set: put it in DATABASE_URL or DATABASE_PASSWORD/)
      t.equal(server.passwords(), 0, `${method}: no password was sent`)
      t.ok(r.elapsedMs < TIMEOUT_MS + MARGIN_MS, `answered in ${Math.round(r.elapsedMs)}ms`)
      t.same(errorLines(c), [], 'a refused login is not an error of the service')
      t.notMatch(c.logs.text(), /SASL| {4}at /, 'no stack, no client library wording in the log')
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), SETTLE_MS)))
      t.ok(await Promise.race([server.allClosed().then(() => true), late]), 'the connection is closed')
      clearTimeout(timer)
      await c.app.close()
    }
  })
}

// A Redis user whose ACL lacks a command or the probe's keys: FORBIDDEN naming what is missing and the ACL.
const acl = new Redis(REDIS_URL)
t.teardown(() => acl.disconnect())
const aclUsers = {
  'no SET': ['~*', '+@all', '-set'],
  'no key': ['~other:*', '+@all'],
  'only what the probe needs': ['resetkeys', '~huntaze-health:*', '-@all', '+set', '+get'],
}
for (const isolateProbes of [false, true]) {
  const where = isolateProbes ? 'probe thread' : 'inline'
  t.test(`redis, ${where}: a user without the permission the probe needs`, async (t) => {
    const password = randomBytes(16).toString('hex')
    for (const [what, rules] of Object.entries(aclUsers)) {
      const user = `health_acl_${what.replace(/\W/g, '_')}`
      await acl.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, ...rules)
      t.teardown(() => acl.call('ACL', 'DELUSER', user))
      const c = await checkApp(
        t,
        [redis],
        {
          HEALTH_MIN_PROBE_INTERVAL_MS: '0',
          HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
          REDIS_URL: `redis://${user}:${password}@127.0.0.1:${new URL(REDIS_URL).port || 6379}`,
        },
        { isolateProbes },
      )
      const r = await probe(c.app, 'redis', '?fresh')
      if (what === 'only what the probe needs') t.equal(r.entry.status, 'pass', `${what}: ${r.entry.output ?? ''}`)
      else {
        t.equal(r.entry.reason, 'FORBIDDEN', `${what}: ${r.entry.output}`)
        t.match(r.entry.output, what === 'no SET' ? /refused the SET command/ : /refused the probe key/)
        t.match(r.entry.output, /ACL SETUSER <user> \+set \+get ~huntaze-health:\*/)
      }
      t.notOk(r.body.includes(password), 'the password appears nowhere')
      t.same(errorLines(c), [], 'a permission the user lacks is not an error of the service')
      await c.app.close()
    }
  })
}

function envFor(def: CheckDefinition, url: string): Record<string, string> {
  return def.name === 'postgres' ? { DATABASE_URL: url } : { REDIS_URL: url }
}

const pgDatabase = new URL(PG_URL).pathname
const pgUser = new URL(PG_URL).username || 'postgres'
matrix(postgres, 5432, (port) => `postgres://${pgUser}@127.0.0.1:${port}${pgDatabase}`, pgFloodHeader)
matrix(redis, Number(new URL(REDIS_URL).port || 6379), (port) => `redis://127.0.0.1:${port}`, redisFloodHeader)

// A TCP fault proxy: listens on 127.0.0.1 and forwards to a real upstream, with a fault switchable at run time.
//
//   const proxy = await startFaultProxy({ upstreamPort: 5432 })
//   await proxy.set('hang')                  // the mode applies at once, to new and live connections
//   ... probe 127.0.0.1:proxy.port, expect TIMEOUT ...
//   await proxy.allClosed()                  // the probe closed every socket it opened through the proxy
//   await proxy.set('pass')                  // healed: the next probe must pass
//   await proxy.close()
//
// Modes (FaultMode):
//   pass      forward both ways
//   refuse    the port is closed (ECONNREFUSED); live connections are destroyed
//   hang      accept, never answer: what the client sends is dropped, nothing comes back
//   drop-syn  SYNs go unanswered (connect hangs): the port is held by a listener whose accept queue is full;
//             loopback only, no firewall rule; live connections are destroyed
//   drip      forward, but the upstream's bytes reach the client 1 byte every `dripMs` (default 100)
//   reset     forward `resetAfterBytes` bytes of the upstream's answer (default 1), then RST the client
//   garbage   answer random bytes (on connect and to every chunk the client sends), never forward
//   flood     answer an endless stream: `floodPrefix` once (e.g. a header announcing a huge message), then
//             random bytes until the client closes
//   restart   destroy every connection, refuse for `restartMs` (default 1000), then pass; `passing()` waits for it
//
// open() counts the client sockets the proxy holds open (the proxy side of "no socket left open"), allClosed()
// waits until that is 0, accepted() counts every connection accepted since start. ownPorts() are the local ports
// of the proxy's own drop-syn fillers, to leave out when counting the client's sockets to the port; upstreamPorts()
// the local ports of its connections to the upstream (a PostgreSQL test finds its backend by them).
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { socketTracker } from './sockets.js'

// Random bytes after a zero byte: no protocol starts a message with it (a random first byte could begin a valid RESP
// bulk header such as "$9...", and the client would then wait for the rest: a timeout, not garbage).
function garbage(): Buffer {
  return Buffer.concat([Buffer.from([0]), randomBytes(63)])
}

export type FaultMode = 'pass' | 'refuse' | 'hang' | 'drop-syn' | 'drip' | 'reset' | 'garbage' | 'flood' | 'restart'

export interface FaultOptions {
  dripMs?: number
  resetAfterBytes?: number
  restartMs?: number
  floodPrefix?: Buffer
}

export interface FaultProxy {
  readonly port: number
  mode: () => FaultMode
  set: (mode: FaultMode, options?: FaultOptions) => Promise<void>
  passing: () => Promise<void>
  open: () => number
  accepted: () => number
  allClosed: () => Promise<void>
  nextAccept: () => Promise<void>
  ownPorts: () => number[]
  upstreamPorts: () => number[]
  close: () => Promise<void>
}

interface Conn {
  client: Socket
  upstream?: Socket
  drip: Buffer[]
  dripTimer?: NodeJS.Timeout
  resetLeft?: number
  flooding: boolean
  upstreamClosed?: boolean
}

const FLOOD_CHUNK = 64 * 1024

export async function startFaultProxy(opts: { upstreamPort: number; upstreamHost?: string }): Promise<FaultProxy> {
  const upstreamHost = opts.upstreamHost ?? '127.0.0.1'
  const tracker = socketTracker()
  const conns = new Set<Conn>()
  let mode: FaultMode = 'pass'
  let options: Required<Omit<FaultOptions, 'floodPrefix'>> & { floodPrefix?: Buffer } = defaults({})
  let accepted = 0
  let acceptWaiters: (() => void)[] = []
  let passWaiters: (() => void)[] = []
  let restartTimer: NodeJS.Timeout | undefined
  let jammed: Jam | undefined
  let listening = false
  let closed = false

  const server: Server = createServer((client) => {
    accepted++
    const w = acceptWaiters
    acceptWaiters = []
    for (const f of w) f()
    tracker.add(client)
    client.on('error', () => undefined)
    const conn: Conn = { client, drip: [], flooding: false }
    conns.add(conn)
    client.on('close', () => {
      conns.delete(conn)
      clearInterval(conn.dripTimer)
      conn.upstream?.destroy()
    })
    client.on('data', (chunk: Buffer) => fromClient(conn, chunk))
    if (mode === 'garbage') client.write(garbage())
    if (mode === 'flood') flood(conn)
    if (mode === 'pass' || mode === 'drip' || mode === 'reset') ensureUpstream(conn)
  })

  function ensureUpstream(conn: Conn): Socket {
    if (conn.upstream) return conn.upstream
    const upstream = connect(opts.upstreamPort, upstreamHost)
    conn.upstream = upstream
    upstream.on('error', () => undefined)
    // a slow link still delivers what the server sent before it closed: the drip ends the client once empty
    upstream.on('close', () => {
      conn.upstreamClosed = true
      if (!conn.dripTimer) conn.client.destroy()
    })
    upstream.on('data', (chunk: Buffer) => fromUpstream(conn, chunk))
    return upstream
  }

  function fromClient(conn: Conn, chunk: Buffer): void {
    if (mode === 'pass' || mode === 'drip' || mode === 'reset') ensureUpstream(conn).write(chunk)
    else if (mode === 'garbage') conn.client.write(garbage())
    else if (mode === 'flood') flood(conn)
    // hang: dropped
  }

  function fromUpstream(conn: Conn, chunk: Buffer): void {
    const { client } = conn
    if (mode === 'drip') {
      conn.drip.push(chunk)
      startDrip(conn)
    } else if (mode === 'reset') {
      conn.resetLeft ??= options.resetAfterBytes
      const part = chunk.subarray(0, conn.resetLeft)
      conn.resetLeft -= part.length
      const cut = (): void => {
        if (!client.destroyed) client.resetAndDestroy()
        conn.upstream?.destroy()
      }
      if (part.length > 0) client.write(part)
      // a reset in the same turn as a write (or its callback) goes out as a plain FIN, hence the timer
      if (conn.resetLeft <= 0) setTimeout(cut, 10)
    } else if (mode === 'pass') {
      if (conn.drip.length > 0) conn.drip.push(chunk)
      else if (!client.write(chunk)) {
        conn.upstream?.pause()
        client.once('drain', () => conn.upstream?.resume())
      }
    }
    // hang, garbage, flood: the upstream's answer is dropped
  }

  function startDrip(conn: Conn): void {
    if (conn.dripTimer) return
    conn.dripTimer = setInterval(() => {
      if (conn.client.destroyed) return clearInterval(conn.dripTimer)
      if (mode !== 'drip') {
        // healed: whatever was held back goes at once
        for (const b of conn.drip.splice(0)) conn.client.write(b)
      } else {
        const head = conn.drip[0]
        if (!head) return
        conn.client.write(head.subarray(0, 1))
        if (head.length > 1) conn.drip[0] = head.subarray(1)
        else conn.drip.shift()
      }
      if (conn.drip.length === 0) {
        clearInterval(conn.dripTimer)
        conn.dripTimer = undefined
        if (conn.upstreamClosed) conn.client.end()
      }
    }, options.dripMs)
  }

  function flood(conn: Conn): void {
    if (conn.flooding) return
    conn.flooding = true
    const { client } = conn
    if (options.floodPrefix) client.write(options.floodPrefix)
    const chunk = randomBytes(FLOOD_CHUNK)
    const pump = (): void => {
      while (!client.destroyed && mode === 'flood') {
        if (!client.write(chunk)) return void client.once('drain', pump)
      }
    }
    pump()
  }

  function destroyLive(): void {
    for (const c of conns) {
      c.client.destroy()
      c.upstream?.destroy()
    }
  }

  async function listen(): Promise<void> {
    if (listening || closed) return
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    listening = true
  }

  async function unlisten(): Promise<void> {
    if (!listening) return
    listening = false
    await new Promise<void>((r) => server.close(() => r()))
  }

  async function apply(next: FaultMode): Promise<void> {
    clearTimeout(restartTimer)
    if (jammed && next !== 'drop-syn') {
      await jammed.release()
      jammed = undefined
    }
    mode = next
    if (next === 'refuse' || next === 'restart' || next === 'drop-syn') {
      destroyLive()
      await unlisten()
    }
    if (next === 'drop-syn') jammed ??= await jam(port)
    else if (next === 'restart') {
      restartTimer = setTimeout(() => void apply('pass'), options.restartMs)
    } else if (next !== 'refuse') await listen()
    if (next === 'pass') {
      for (const c of conns) if (c.drip.length > 0) startDrip(c)
      const w = passWaiters
      passWaiters = []
      for (const f of w) f()
    }
  }

  const port = await listenOnQuietPort(server)
  listening = true

  return {
    port,
    mode: () => mode,
    set: async (next, o = {}) => {
      options = defaults(o)
      await apply(next)
    },
    passing: () => (mode === 'pass' ? Promise.resolve() : new Promise<void>((r) => passWaiters.push(r))),
    open: tracker.open,
    accepted: () => accepted,
    allClosed: tracker.allClosed,
    nextAccept: () => new Promise<void>((r) => acceptWaiters.push(r)),
    ownPorts: () => jammed?.ports() ?? [],
    upstreamPorts: () => [...conns].flatMap((c) => (c.upstream?.localPort ? [c.upstream.localPort] : [])),
    close: async () => {
      closed = true
      clearTimeout(restartTimer)
      await jammed?.release()
      jammed = undefined
      destroyLive()
      await unlisten()
    },
  }
}

function defaults(o: FaultOptions): Required<Omit<FaultOptions, 'floodPrefix'>> & { floodPrefix?: Buffer } {
  return { dripMs: 100, resetAfterBytes: 1, restartMs: 1000, ...o }
}

// A port below the kernel's ephemeral range, so no outgoing connection takes it while refuse closes it.
async function listenOnQuietPort(server: Server): Promise<number> {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
  const top = Math.min(low ?? 32768, 32768)
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 20000 + Math.floor(Math.random() * (top - 20000))
    const ok = await new Promise<boolean>((resolve) => {
      const onError = (): void => resolve(false)
      server.once('error', onError)
      server.listen({ port: candidate, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', onError)
        resolve(true)
      })
    })
    if (ok) return (server.address() as AddressInfo).port
  }
  throw new Error('fault proxy: no free port below the ephemeral range after 50 attempts')
}

interface Jam {
  ports: () => number[]
  release: () => Promise<void>
}

// A listener with backlog 1 (0 means the default, 511) in a thread whose event loop is blocked, so nothing is ever accepted; filler
// connections fill its accept queue, after which the kernel drops every SYN to the port.
const JAM_THREAD = `
const { workerData, parentPort } = require('node:worker_threads')
const net = require('node:net')
const flag = new Int32Array(workerData.flag)
const server = net.createServer()
server.on('error', (e) => parentPort.postMessage({ error: String(e) }))
server.listen({ port: workerData.port, host: '127.0.0.1', backlog: 1, exclusive: true }, () => {
  parentPort.postMessage({ listening: true })
  // block until released; while blocked the listener is never polled, so its queue stays full
  setImmediate(() => {
    while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 1000)
    server.close()
    process.exit(0)
  })
})
`

async function jam(port: number): Promise<Jam> {
  const flag = new Int32Array(new SharedArrayBuffer(4))
  const worker = new Worker(JAM_THREAD, { eval: true, workerData: { port, flag: flag.buffer } })
  const exited = new Promise<void>((r) => worker.once('exit', () => r()))
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { listening?: boolean; error?: string }) =>
      m.listening ? resolve() : reject(new Error(`fault proxy: drop-syn listener: ${m.error}`)),
    )
    worker.once('error', reject)
  })
  const fillers: Socket[] = []
  // bounded: a backlog of 1 holds two or three connections; a filler that does not connect means the queue is full
  for (let i = 0; i < 16; i++) {
    const s = connect(port, '127.0.0.1')
    s.on('error', () => undefined)
    fillers.push(s)
    const connected = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 300)
      s.once('connect', () => {
        clearTimeout(t)
        resolve(true)
      })
    })
    if (!connected) break
    if (i === 15) throw new Error('fault proxy: drop-syn: the accept queue did not fill after 16 connections')
  }
  return {
    ports: () => fillers.map((s) => s.localPort ?? 0),
    release: async () => {
      for (const s of fillers) s.destroy()
      Atomics.store(flag, 0, 1)
      Atomics.notify(flag, 0)
      await exited
    },
  }
}

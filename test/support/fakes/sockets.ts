import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import type { Socket } from 'node:net'

// The sockets a fake server holds open, and a wait for the moment none is: a cancelled probe must close its socket.
export function socketTracker() {
  const sockets = new Set<Socket>()
  let waiters: (() => void)[] = []
  return {
    add(s: Socket): void {
      sockets.add(s)
      s.on('close', () => {
        sockets.delete(s)
        if (sockets.size > 0) return
        const w = waiters
        waiters = []
        for (const f of w) f()
      })
    },
    open: () => sockets.size,
    allClosed: () => (sockets.size === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    destroyAll: () => {
      for (const s of sockets) s.destroy()
    },
  }
}

// The kernel's names for the states of /proc/net/tcp, by their hex code.
const tcpStates: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
}

// The states of this process's TCP sockets whose far end is the given loopback port, as the kernel sees them:
// a client socket the code forgot is counted even when no server ever accepted it (SYN_SENT).
export function processSockets(port: number): { state: string; localPort: number }[] {
  const inodes = new Set<string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (m) inodes.add(m[1])
    } catch {
      // the fd was closed between the listing and the read
    }
  }
  const states: { state: string; localPort: number }[] = []
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10) continue
      const remotePort = parseInt(f[2].split(':')[1] ?? '', 16)
      if (remotePort === port && inodes.has(f[9]))
        states.push({ state: tcpStates[f[3]] ?? f[3], localPort: parseInt(f[1].split(':')[1] ?? '', 16) })
    }
  }
  return states
}

// Polls until `done` holds, at most `ms` and 200 times: for what leaves no event to wait on (a socket's close in
// another process's view, the kernel's table).
export async function eventually(done: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = performance.now() + ms
  for (let i = 0; i < 200 && performance.now() < deadline; i++) {
    if (done()) return true
    await new Promise((r) => setTimeout(r, Math.max(5, ms / 200)))
  }
  return done()
}

// How many of this process's client sockets to the port are still held (SYN_SENT, ESTABLISHED, CLOSE_WAIT; the
// FIN_WAIT and TIME_WAIT ones are closed on our side); `except` leaves out local ports (a proxy's fillers, a test's
// admin connection).
export function clientSockets(port: number, except: readonly number[] = []): number {
  const held = new Set(['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT'])
  return processSockets(port).filter((s) => held.has(s.state) && !except.includes(s.localPort)).length
}

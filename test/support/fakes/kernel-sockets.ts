import { readFileSync } from 'node:fs'

// Client sockets connected to the port, from the kernel's table (the whole network namespace, so the port must be
// the test's own): SYN_SENT, ESTABLISHED and CLOSE_WAIT are held open; FIN_WAIT and TIME_WAIT are closed by their
// owner. `except` leaves out local ports (a proxy's fillers, a test's admin connection).
export function clientSockets(port: number, except: readonly number[] = []): number {
  const held = new Set(['01', '02', '08'])
  let n = 0
  for (const file of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 4) continue
      const local = parseInt(cols[1].split(':')[1], 16)
      const remote = parseInt(cols[2].split(':')[1], 16)
      if (remote === port && held.has(cols[3]) && !except.includes(local)) n++
    }
  }
  return n
}

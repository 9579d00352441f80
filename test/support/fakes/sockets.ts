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

import type { Socket } from 'node:net'
import { Reason } from '../../reasons.js'
import { CheckError } from '../types.js'

// The most a probe reads from a datastore: SELECT 1 or a SET and a GET answer in a few hundred bytes, so a
// server that sends more is not the dependency the check expects, and buffering it would cost the service memory.
export const READ_CAP_BYTES = 1024 * 1024

export interface ReadCap {
  // a new probe starts with the whole allowance again
  reset(): void
  // counts what the socket receives; past the cap (or when `inspect` objects) it destroys the socket with a
  // BAD_RESPONSE, which the client reports as its error
  watch(socket: Socket, inspect?: (chunk: Buffer) => string | null): void
}

export function readCap(target: string, limit = READ_CAP_BYTES): ReadCap {
  let used = 0
  return {
    reset: () => {
      used = 0
    },
    watch(socket, inspect) {
      socket.on('data', (chunk: Buffer) => {
        if (socket.destroyed) return
        used += chunk.length
        if (used > limit) {
          socket.destroy(
            new CheckError(
              Reason.BAD_RESPONSE,
              `${target} answered more than ${limit} bytes to one probe: it is not the server the setting should point at (a proxy or another service answers)`,
            ),
          )
          return
        }
        const wrong = inspect?.(chunk)
        if (wrong) socket.destroy(new CheckError(Reason.BAD_RESPONSE, `${target} ${wrong}`))
      })
    },
  }
}

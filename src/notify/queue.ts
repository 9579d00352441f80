import type { StatusChange } from '../engine/result.js'

// The most notifications that wait for one webhook: coalescing keeps one a check, so only a catalogue of more checks
// than this, all changing while the receiver is down, can fill it.
export const QUEUE_LIMIT = 100

// Which changes are worth telling: every change, except that the first result since start tells only a failure
// (the service starts assuming the platform is healthy: a restart must not page for every passing check).
export function notifies(change: Pick<StatusChange, 'from' | 'to'>): boolean {
  return change.from === null ? change.to === 'fail' : change.from !== change.to
}

export type Enqueued = 'queued' | 'coalesced' | 'moot' | 'full'

// The changes waiting for one webhook, oldest first, at most one a check: a check that changes again before its
// notification leaves has it replaced in place, keeping the first `from` and taking the rest from the new change;
// when the two cancel out (pass to fail to pass) nothing is left to tell.
export class PendingChanges {
  // a Map keeps insertion order, and set() on a key already there keeps its place: O(1) every way
  private readonly waiting = new Map<string, StatusChange>()

  get size(): number {
    return this.waiting.size
  }

  push(change: StatusChange): Enqueued {
    const earlier = this.waiting.get(change.name)
    if (earlier) {
      const merged = { ...change, from: earlier.from }
      if (!notifies(merged)) {
        this.waiting.delete(change.name)
        return 'moot'
      }
      this.waiting.set(change.name, merged)
      return 'coalesced'
    }
    if (this.waiting.size >= QUEUE_LIMIT) return 'full'
    this.waiting.set(change.name, change)
    return 'queued'
  }

  // The oldest change, out of the queue: from now on a new change of its check waits behind it.
  shift(): StatusChange | undefined {
    const first = this.waiting.values().next()
    if (first.done) return undefined
    this.waiting.delete(first.value.name)
    return first.value
  }

  // Empties the queue; returns how many changes were in it.
  clear(): number {
    const n = this.waiting.size
    this.waiting.clear()
    return n
  }
}

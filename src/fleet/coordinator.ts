import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { CheckDefinition } from '../checks/types.js'
import type { Clock } from '../engine/clock.js'
import type { ProbedResult, StatusChange } from '../engine/result.js'
import type { FleetStore, Shared } from './store.js'

// Where a global check's current result came from, on this replica.
export type ResultSource = 'probed' | 'shared' | 'alone'

export interface SourceView {
  source: ResultSource
  // the HEALTH_SERVICE_ID of the replica whose probe it is
  probedBy: string
}

export interface FleetOptions {
  store: FleetStore
  serviceId: string
  clock: Clock
  log: FastifyBaseLogger
  // how often a replica that waits for the holder's result looks for it
  pollMs?: number
}

// A lease outlasts the probe it covers by this much: a holder that answers within its timeout always publishes
// before it lapses.
export const LEASE_MARGIN_MS = 1000
const POLL_MS = 50
// a notification claim outlives any retry of the same change
const CLAIM_MS = 24 * 3600_000

interface Published {
  result: ProbedResult
  probedBy: string
}

// Probes each global check once per lifetime for the whole fleet: the replica that takes the check's lease probes
// and publishes; the others adopt what it published, without waiting on the lease while they have a result. When
// the coordination Redis fails a call, this replica probes on its own, as a single one would.
export class FleetCoordinator {
  private readonly epochs = new Map<string, number>()
  private readonly sources = new Map<string, SourceView>()
  private readonly pollMs: number

  constructor(private readonly opts: FleetOptions) {
    this.pollMs = opts.pollMs ?? POLL_MS
  }

  get available(): boolean {
    return this.opts.store.isAvailable
  }

  source(name: string): SourceView | undefined {
    return this.sources.get(name)
  }

  // A result of a global check for this replica: shared when one newer than this replica's holds for longer than
  // `leadMs`, else probed by `local` under the check's lease, else the holder's once it publishes.
  async evaluate(
    def: CheckDefinition,
    timeoutMs: number,
    leadMs: number,
    local: () => Promise<ProbedResult>,
  ): Promise<ProbedResult> {
    const { store } = this.opts
    try {
      // names its holder, so that an operator reading the lease key sees which replica probes the check now
      const token = `${this.opts.serviceId}:${randomUUID()}`
      const leaseMs = timeoutMs + LEASE_MARGIN_MS
      const since = this.epochs.get(def.name) ?? -1
      // a newer result, or the lease; when another replica holds it, its result once published or the lease as
      // soon as it lapses (its holder died), whichever comes first, at most one lease long
      const deadline = this.opts.clock.now() + leaseMs
      for (;;) {
        const took = await store.take(def.name, since, leadMs, token, leaseMs)
        if (took !== 'held' && 'shared' in took) return this.adopt(def, took.shared)
        if (took !== 'held') return await this.probeAndPublish(def, token, took.lease, local)
        if (this.opts.clock.now() >= deadline) break
        await new Promise((r) => setTimeout(r, this.pollMs).unref())
      }
      const last = await store.read(def.name)
      if (last) return this.adopt(def, last)
    } catch (err) {
      this.opts.log.debug({ check: def.name, err: String(err) }, 'fleet coordination unavailable: probing alone')
    }
    this.sources.set(def.name, { source: 'alone', probedBy: this.opts.serviceId })
    return withSource(await local(), 'alone', this.opts.serviceId)
  }

  // Whether this replica is the one to notify a change of a global check; true when Redis cannot say.
  async shouldNotify(change: StatusChange): Promise<boolean> {
    try {
      return await this.opts.store.claim(
        `${change.name}:${change.from ?? 'none'}:${change.to}:${change.since}`,
        this.opts.serviceId,
        CLAIM_MS,
      )
    } catch {
      return true
    }
  }

  private async probeAndPublish(
    def: CheckDefinition,
    token: string,
    epoch: number,
    local: () => Promise<ProbedResult>,
  ): Promise<ProbedResult> {
    const { store, serviceId, clock } = this.opts
    try {
      const result = withSource(await local(), 'probed', serviceId)
      this.epochs.set(def.name, epoch)
      this.sources.set(def.name, { source: 'probed', probedBy: serviceId })
      const body: Published = { result, probedBy: serviceId }
      const holdsMs = result.expiresAt - clock.now()
      // a result already expired is not shared; an older probe never replaces a newer one (the script checks)
      if (holdsMs > 0) await store.publish(def.name, epoch, JSON.stringify(body), holdsMs).catch(() => false)
      return result
    } finally {
      await store.release(def.name, token).catch(() => undefined)
    }
  }

  // The published result as this replica's own: its expiry on this replica's clock, from the time the server says
  // it still holds, so that a replica whose clock is off neither keeps it too long nor drops it too soon.
  private adopt(def: CheckDefinition, shared: Shared): ProbedResult {
    const { result, probedBy } = JSON.parse(shared.json) as Published
    const now = this.opts.clock.now()
    this.epochs.set(def.name, shared.epoch)
    this.sources.set(def.name, { source: 'shared', probedBy })
    return {
      ...withSource(result, 'shared', probedBy),
      observedAt: Math.min(result.observedAt, now),
      expiresAt: now + shared.remainingMs,
    }
  }
}

// The result's details say where it came from, for whoever reads them (HEALTH_DETAILS decides who may).
function withSource(result: ProbedResult, source: ResultSource, probedBy: string): ProbedResult {
  return { ...result, details: { ...result.details, fleet: source, probedBy } }
}

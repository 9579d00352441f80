import type { Redis } from 'ioredis'

// What the replicas of a fleet share in one Redis: per global check a lease (who probes it now) and the last result
// (published with its remaining lifetime), and per change of status a claim (who notifies it). Every call is bounded
// by a small budget and fails instead of waiting: the caller then acts alone, as a single replica would.

// A result as published, with the time its probe began on the Redis server's clock (its epoch): a result whose
// probe began earlier never replaces one whose probe began later, whatever the replicas' clocks say.
export interface Shared {
  epoch: number
  json: string
  // how long it still holds, on the server's clock
  remainingMs: number
}

// In one step, so that no result published between a read and a SET NX is probed again: the published result when
// its probe began after ARGV[1] and it holds longer than ARGV[2] ms; else the lease (SET NX PX) and the server's
// time in microseconds when it was taken; else 'held'.
const TAKE = `
local v = redis.call('HMGET', KEYS[1], 'epoch', 'json')
if v[1] then
  local pttl = redis.call('PTTL', KEYS[1])
  if tonumber(v[1]) > tonumber(ARGV[1]) and pttl > tonumber(ARGV[2]) then return {'shared', v[1], v[2], pttl} end
end
if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[4]) then
  local t = redis.call('TIME')
  return {'lease', tonumber(t[1]) * 1000000 + tonumber(t[2])}
end
return {'held'}`

// deleted only by the holder whose token it holds
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

// replaces the published result only with one whose probe began later
const PUBLISH = `
local current = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
if tonumber(ARGV[1]) <= current then return 0 end
redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'json', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`

const READ = `
local v = redis.call('HMGET', KEYS[1], 'epoch', 'json')
if not v[1] then return false end
return {v[1], v[2], redis.call('PTTL', KEYS[1])}`

export interface FleetStoreOptions {
  url: string
  // keys start with it: one fleet per prefix
  prefix: string
  // the most a call may take before it counts as Redis being unavailable
  budgetMs: number
  // the error of a failed call, once per change between available and not
  onAvailability?: (available: boolean, err?: Error) => void
}

export class FleetStore {
  private client?: Redis
  private opening?: Promise<Redis>
  private available = true

  constructor(private readonly opts: FleetStoreOptions) {}

  get isAvailable(): boolean {
    return this.available
  }

  // The published result if it is newer than `since` and holds longer than `leadMs`, else the lease for `ms`.
  async take(
    check: string,
    since: number,
    leadMs: number,
    token: string,
    ms: number,
  ): Promise<{ shared: Shared } | { lease: number } | 'held'> {
    const r = (await this.call((c) =>
      c.eval(
        TAKE,
        2,
        this.key('result', check),
        this.key('lease', check),
        String(since),
        String(Math.floor(leadMs)),
        token,
        String(Math.ceil(ms)),
      ),
    )) as [string, ...(string | number)[]]
    if (r[0] === 'shared') return { shared: { epoch: Number(r[1]), json: String(r[2]), remainingMs: Number(r[3]) } }
    if (r[0] === 'lease') return { lease: Number(r[1]) }
    return 'held'
  }

  async release(check: string, token: string): Promise<void> {
    await this.call((c) => c.eval(RELEASE, 1, this.key('lease', check), token))
  }

  // Publishes a result for ms; false when a result whose probe began later is already there.
  async publish(check: string, epoch: number, json: string, ms: number): Promise<boolean> {
    const r = await this.call((c) =>
      c.eval(PUBLISH, 1, this.key('result', check), String(epoch), json, String(Math.max(1, Math.ceil(ms)))),
    )
    return r === 1
  }

  async read(check: string): Promise<Shared | undefined> {
    const r = (await this.call((c) => c.eval(READ, 1, this.key('result', check)))) as [string, string, number] | null
    if (!r) return undefined
    const [epoch, json, pttl] = r
    return pttl > 0 ? { epoch: Number(epoch), json, remainingMs: pttl } : undefined
  }

  // The one claim of an event (a change of status) for ms: true for the replica that gets it.
  async claim(event: string, owner: string, ms: number): Promise<boolean> {
    const r = await this.call((c) => c.set(this.key('claim', event), owner, 'PX', Math.ceil(ms), 'NX'))
    return r === 'OK'
  }

  async close(): Promise<void> {
    const client = this.client ?? (await this.opening?.catch(() => undefined))
    client?.disconnect()
  }

  private key(kind: string, name: string): string {
    return `${this.opts.prefix}${kind}:${name}`
  }

  private async call<T>(fn: (c: Redis) => Promise<T>): Promise<T> {
    try {
      const client = await this.connection()
      const value = await fn(client)
      this.mark(true)
      return value
    } catch (err) {
      this.mark(false, err as Error)
      throw err
    }
  }

  private mark(available: boolean, err?: Error): void {
    if (available === this.available) return
    this.available = available
    this.opts.onAvailability?.(available, err)
  }

  // The client once its first connection attempt is over, whatever its outcome: calls made meanwhile wait for it
  // (within the connect budget) instead of failing on a socket still opening; later ones fail at once while it is
  // away, and it reconnects by itself.
  private connection(): Promise<Redis> {
    this.opening ??= import('ioredis').then(async ({ Redis }) => {
      // no offline queue: a call while Redis is away fails at once instead of waiting; it reconnects by itself
      const client = new Redis(this.opts.url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: this.opts.budgetMs,
        commandTimeout: this.opts.budgetMs,
        retryStrategy: (times) => Math.min(times * 200, 2000),
        connectionName: 'huntaze-health-fleet',
        // no INFO before the first command: a user without it (the probe needs SET and GET only) is not refused,
        // ioredis prints nothing, and a loading server answers LOADING to the command itself
        enableReadyCheck: false,
        lazyConnect: true,
      })
      client.on('error', () => undefined)
      this.client = client
      await client.connect().catch(() => undefined)
      return client
    })
    return this.opening
  }
}

import type { FastifyBaseLogger } from 'fastify'
import { notifyUrls, webhookUrl, type Config } from '../config.js'
import type { StatusChange } from '../engine/result.js'
import type { NotifierView } from '../state.js'
import { bodyFor, type EventContext } from './bodies.js'
import { post } from './delivery.js'
import { notifies, PendingChanges, QUEUE_LIMIT } from './queue.js'

// The first retry waits this long, each next one twice as long; no wait, a Retry-After included, is longer than the cap.
const BASE_BACKOFF_MS = 1000
const MAX_WAIT_MS = 60_000

// The wait before retry n (from 1): 1 s, 2 s, 4 s... capped; a receiver's Retry-After is honoured up to the cap.
function backoffMs(retry: number, retryAfterMs = 0): number {
  return Math.min(MAX_WAIT_MS, Math.max(BASE_BACKOFF_MS * 2 ** (retry - 1), retryAfterMs))
}

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>

// Resolves after ms, rejects when the signal fires; the timer never keeps the process alive.
const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('stopped'))
    const onAbort = () => {
      clearTimeout(timer)
      reject(new Error('stopped'))
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    timer.unref()
    signal.addEventListener('abort', onAbort, { once: true })
  })

export interface NotifierOptions {
  // the waits between attempts: tests answer them at once and read what was asked
  sleep?: Sleep
}

interface Webhook {
  url: string
  slack: boolean
  // how logs name it: by position, never by its URL, which carries a token
  label: string
  queue: PendingChanges
  // the change being delivered, retries included: out of the queue, so nothing coalesces into what was sent
  inflight?: StatusChange
  busy: boolean
  done: Promise<void>
  // dropped since the queue filled: the first drop logs, the next change that finds room says how many
  dropped: number
}

// Sends every change of a check's reported status to each webhook of HEALTH_NOTIFY_URLS. The runner's listener only
// enqueues; each webhook has its own queue and one delivery in flight (so its events arrive in order).
export class Notifier implements NotifierView {
  readonly counts = { delivered: 0, failed: 0, retried: 0, dropped: 0 }
  private readonly hooks: Webhook[]
  private readonly ctx: EventContext
  private readonly stop = new AbortController()
  private readonly sleep: Sleep
  private readonly retries: number
  private readonly timeoutMs: number

  constructor(
    config: Config,
    private readonly log: FastifyBaseLogger,
    opts: NotifierOptions = {},
  ) {
    const urls = notifyUrls(config.health.HEALTH_NOTIFY_URLS)
    this.hooks = urls.map((raw, i) => {
      // loadConfig has refused any URL webhookUrl does not take
      const { url, slack } = webhookUrl(raw)!
      return {
        url: url.href,
        slack,
        label: `webhook ${i + 1} of ${urls.length}${slack ? ' (Slack)' : ''}`,
        queue: new PendingChanges(),
        busy: false,
        done: Promise.resolve(),
        dropped: 0,
      }
    })
    this.ctx = {
      serviceId: config.health.HEALTH_SERVICE_ID,
      publicUrl: config.health.HEALTH_PUBLIC_URL,
      withOutput: config.health.HEALTH_DETAILS !== 'never',
    }
    this.retries = config.health.HEALTH_NOTIFY_RETRIES
    this.timeoutMs = config.health.HEALTH_NOTIFY_TIMEOUT_MS
    this.sleep = opts.sleep ?? sleep
  }

  // whether any webhook is configured: without one, a change costs nothing
  get active(): boolean {
    return this.hooks.length > 0
  }

  get queued(): number {
    return this.hooks.reduce((n, h) => n + h.queue.size + (h.inflight ? 1 : 0), 0)
  }

  // The runner's result listener calls this: it never waits, and costs O(1) a webhook.
  notify(change: StatusChange): void {
    if (this.stop.signal.aborted || !notifies(change)) return
    for (const hook of this.hooks) this.enqueue(hook, change)
  }

  private enqueue(hook: Webhook, change: StatusChange): void {
    const queued = hook.queue.push(change)
    if (queued === 'full') {
      this.counts.dropped++
      if (hook.dropped++ === 0)
        this.log.warn(
          { webhook: hook.label, check: change.name, limit: QUEUE_LIMIT },
          `${hook.label}: ${QUEUE_LIMIT} notifications wait already; new ones are dropped until it catches up`,
        )
      return
    }
    if (queued !== 'queued') return
    if (hook.dropped > 0) {
      this.log.info(
        { webhook: hook.label, dropped: hook.dropped },
        `${hook.label}: the queue has room again; ${hook.dropped} notifications were dropped while it was full`,
      )
      hook.dropped = 0
    }
    if (hook.busy) return
    hook.busy = true
    hook.done = this.drain(hook)
  }

  private async drain(hook: Webhook): Promise<void> {
    for (let next = hook.queue.shift(); next && !this.stop.signal.aborted; next = hook.queue.shift()) {
      hook.inflight = next
      await this.deliver(hook, next)
      hook.inflight = undefined
    }
    hook.busy = false
  }

  private async deliver(hook: Webhook, change: StatusChange): Promise<void> {
    const body = bodyFor(change, this.ctx, hook.slack)
    const what = { webhook: hook.label, check: change.name, from: change.from, to: change.to }
    for (let attempt = 1; ; attempt++) {
      const sent = await post(hook.url, body, this.timeoutMs, this.stop.signal)
      if (sent.outcome === 'delivered') {
        this.counts.delivered++
        this.log.debug({ ...what, attempt }, `${hook.label}: notification delivered`)
        return
      }
      if (sent.outcome === 'stopped') {
        this.counts.dropped++
        return
      }
      if (sent.outcome === 'rejected' || attempt > this.retries) {
        this.counts.failed++
        const tries = sent.outcome === 'rejected' ? 'not retried' : `${attempt} attempts`
        this.log.warn(
          { ...what, attempts: attempt },
          `${hook.label}: notification not delivered: ${sent.why}, ${tries}`,
        )
        return
      }
      const waitMs = backoffMs(attempt, sent.retryAfterMs)
      this.log.debug({ ...what, attempt, waitMs }, `${hook.label}: ${sent.why}; trying again`)
      try {
        await this.sleep(waitMs, this.stop.signal)
      } catch {
        this.counts.dropped++
        return
      }
      this.counts.retried++
    }
  }

  // Aborts what is in flight and gives up what waits (counted as dropped, and said in one line): a shutdown must not
  // wait for a slow receiver, nor leave a socket or a timer behind.
  async close(): Promise<void> {
    if (this.stop.signal.aborted) return
    this.stop.abort()
    const before = this.counts.dropped
    for (const hook of this.hooks) this.counts.dropped += hook.queue.clear()
    await Promise.all(this.hooks.map((h) => h.done))
    const lost = this.counts.dropped - before
    if (lost > 0) this.log.warn({ dropped: lost }, `${lost} notifications not sent: the service is shutting down`)
  }
}

import type { FastifyBaseLogger } from 'fastify'
import type { History } from './engine/history.js'
import type { Registry } from 'prom-client'
import type { CheckRunner } from './engine/runner.js'
import type { RefreshScheduler } from './engine/scheduler.js'
import type { ReportMeta } from './routes/render.js'
import type { RenderCache } from './routes/render-cache.js'

// What /metrics reads of webhook deliveries (src/notify/): counters since start, and what waits in the queues.
export interface NotifierView {
  readonly counts: Readonly<Record<'delivered' | 'failed' | 'retried' | 'dropped', number>>
  readonly queued: number
}

// Everything one app instance owns; nothing of it lives at module level.
export interface HealthState {
  runner: CheckRunner
  // background probing (HEALTH_REFRESH=background); absent when results are refreshed on demand only
  scheduler?: RefreshScheduler
  // webhook deliveries of status changes (src/notify/)
  notifier: NotifierView
  // each check's transitions and per-minute counts, in memory only
  history: History
  meta: ReportMeta
  shuttingDown: boolean
  rendered: RenderCache
  criticalNames: readonly string[]
  allNames: readonly string[]
  // the service's own logger (status changes, errors); Fastify itself has none
  log: FastifyBaseLogger
  // removes every secret value from a text a client sent before an answer repeats it
  scrub: (text: string) => string
  // the Prometheus series of this app instance (/metrics)
  metrics: Registry
}

declare module 'fastify' {
  interface FastifyInstance {
    health: HealthState
  }
}

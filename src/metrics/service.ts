import { Counter, Gauge, type Registry } from 'prom-client'
import { aggregate } from '../engine/aggregate.js'
import type { CheckResult } from '../engine/result.js'
import type { HealthStatus } from '../engine/status.js'
import type { HealthState } from '../state.js'
import { PREFIX } from './registry.js'

const statuses: readonly HealthStatus[] = ['pass', 'warn', 'fail']
const outcomes = ['delivered', 'failed', 'retried', 'dropped'] as const

// What the service-wide series read besides the state.
export interface ServiceSources {
  // threads started in place of a wedged or exited probe thread; absent when probes run in this thread
  probeThreadRestarts: () => number
}

// The cached results of these checks, leaving out the ones never observed.
function observed(state: HealthState, names: readonly string[]): CheckResult[] {
  const out: CheckResult[] = []
  for (const name of names) {
    const r = state.runner.view(name).result
    if (r) out.push(r)
  }
  return out
}

// Service-wide series, all read at scrape time from counters the request path already keeps.
export function registerServiceMetrics(registry: Registry, state: HealthState, sources: ServiceSources): void {
  const registers = [registry]
  new Gauge({
    name: `${PREFIX}background_refresh`,
    help: 'Whether the checks are refreshed in the background (1, HEALTH_REFRESH=background) or only when a request finds a result expired (0)',
    registers,
    collect() {
      this.set(state.scheduler ? 1 : 0)
    },
  })
  new Gauge({
    name: `${PREFIX}status`,
    help: 'The aggregate /health (endpoint="health", every check) or /ready (endpoint="ready", the critical checks; fail once shutdown has begun) would answer from the cached results, checks never observed left out: 1 for the current value of status, 0 for the others',
    labelNames: ['endpoint', 'status'],
    registers,
    collect() {
      const health = aggregate(observed(state, state.allNames))
      const ready = state.shuttingDown ? 'fail' : aggregate(observed(state, state.criticalNames))
      for (const status of statuses) {
        this.set({ endpoint: 'health', status }, health === status ? 1 : 0)
        this.set({ endpoint: 'ready', status }, ready === status ? 1 : 0)
      }
    },
  })
  new Counter({
    name: `${PREFIX}answers_total`,
    help: 'Answers of /ready, /health and /health/{service} by where their bytes came from: source="cache" sent bytes rendered earlier, source="render" rendered them anew',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset()
      this.inc({ source: 'cache' }, state.rendered.hits)
      this.inc({ source: 'render' }, state.rendered.renders)
    },
  })
  new Counter({
    name: `${PREFIX}probe_thread_restarts_total`,
    help: 'Probe threads started in place of one that wedged past its timeout or exited',
    registers,
    collect() {
      this.reset()
      this.inc(sources.probeThreadRestarts())
    },
  })
  new Counter({
    name: `${PREFIX}notifications_total`,
    help: 'Webhook deliveries of status changes by outcome: delivered, failed (given up), retried (an attempt tried again), dropped (never sent); 0 without HEALTH_NOTIFY_URLS',
    labelNames: ['outcome'],
    registers,
    collect() {
      this.reset()
      for (const outcome of outcomes) this.inc({ outcome }, state.notifier.counts[outcome])
    },
  })
  new Gauge({
    name: `${PREFIX}notifications_queued`,
    help: 'Webhook deliveries of status changes waiting to be sent',
    registers,
    collect() {
      this.set(state.notifier.queued)
    },
  })
}

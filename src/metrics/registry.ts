import { collectDefaultMetrics, Registry } from 'prom-client'

// The one prefix of the service's own series; the process and Node.js series keep their standard names.
export const PREFIX = 'huntaze_health_'

// Gauges of prom-client's defaults named like counters (promtool rejects them); sum() of the series without the
// suffix gives the same totals.
const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']

// One registry per app instance (never prom-client's global one): two apps in one process share no series.
export function createRegistry(): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  for (const name of MISNAMED) registry.removeSingleMetric(name)
  return registry
}

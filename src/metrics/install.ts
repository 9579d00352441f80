import type { FastifyInstance } from 'fastify'
import type { HealthState } from '../state.js'
import { registerCheckMetrics } from './checks.js'
import { countRequests } from './requests.js'
import { registerFleetMetrics } from './fleet.js'
import { registerServiceMetrics, type ServiceSources } from './service.js'

// Registers every series of the app on its registry (state.metrics) and the hook that counts requests.
export function installMetrics(app: FastifyInstance, state: HealthState, sources: ServiceSources): void {
  registerCheckMetrics(state.metrics, state.runner)
  registerServiceMetrics(state.metrics, state, sources)
  registerFleetMetrics(state.metrics, state.runner)
  countRequests(app, state.metrics)
}

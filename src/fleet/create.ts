import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { Clock } from '../engine/clock.js'
import { FleetCoordinator } from './coordinator.js'
import { FleetStore } from './store.js'

// A call to the coordination Redis that takes longer than this counts as Redis being unavailable: it is on the
// path of a probe, never of a request that the cache answers.
export const FLEET_BUDGET_MS = 250

export interface Fleet {
  store: FleetStore
  coordinator: FleetCoordinator
}

// The fleet of HEALTH_FLEET_REDIS_URL, or none when it is unset. Its keys are the environment's own, so that a
// staging and a production fleet may share one Redis.
export function createFleet(config: Config, log: FastifyBaseLogger, clock: Clock): Fleet | undefined {
  const url = config.health.HEALTH_FLEET_REDIS_URL
  if (!url) return undefined
  const store = new FleetStore({
    url,
    prefix: `huntaze-health:fleet:${config.settings.NODE_ENV ?? 'production'}:`,
    budgetMs: FLEET_BUDGET_MS,
    onAvailability: (available, err) =>
      available
        ? log.info('fleet coordination Redis answers again: the global checks are shared')
        : log.warn(
            { err: err?.message },
            'fleet coordination Redis unavailable: this replica probes every check on its own until it answers',
          ),
  })
  return { store, coordinator: new FleetCoordinator({ store, serviceId: config.health.HEALTH_SERVICE_ID, clock, log }) }
}

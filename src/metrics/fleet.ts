import { Gauge, type Registry } from 'prom-client'
import type { CheckRunner } from '../engine/runner.js'
import { PREFIX } from './registry.js'

// The fleet's series, registered only when HEALTH_FLEET_REDIS_URL is set: whether the coordination Redis answers,
// and where each global check's current result came from.
export function registerFleetMetrics(registry: Registry, runner: CheckRunner): void {
  const fleet = runner.fleet
  if (!fleet) return
  const registers = [registry]
  new Gauge({
    name: `${PREFIX}fleet_redis_up`,
    help: 'Whether the coordination Redis (HEALTH_FLEET_REDIS_URL) answered its last call (1) or not (0, and this replica probes every check on its own)',
    registers,
    collect() {
      this.set(fleet.available ? 1 : 0)
    },
  })
  const global = runner.definitions.filter((d) => d.scope === 'global')
  new Gauge({
    name: `${PREFIX}check_source`,
    help: 'Where a global check\'s current result came from on this replica (1): source="probed" (this replica probed it for the fleet), "shared" (adopted from probed_by\'s probe), "alone" (probed without the fleet, Redis unavailable)',
    labelNames: ['check', 'tier', 'source', 'probed_by'],
    registers,
    collect() {
      this.reset()
      for (const def of global) {
        const s = fleet.source(def.name)
        if (s) this.set({ check: def.name, tier: def.tier, source: s.source, probed_by: s.probedBy }, 1)
      }
    },
  })
}

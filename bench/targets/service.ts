import type * as ServerModule from '../../src/server.js'
import type * as ConfigModule from '../../src/config.js'
import type * as ChecksModule from '../../src/checks/index.js'
import type { CheckDefinition } from '../../src/checks/types.js'
import { profilerHandlers, serveIpc } from '../lib/child.js'

// The service as compiled by `npm run build`: what production runs, not the TypeScript sources.
const dist = new URL('../../dist/', import.meta.url)
const { build } = (await import(new URL('server.js', dist).href)) as typeof ServerModule
const { loadConfig } = (await import(new URL('config.js', dist).href)) as typeof ConfigModule
const { checks: allChecks } = (await import(new URL('checks/index.js', dist).href)) as typeof ChecksModule

const env = JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>
const mode = process.env.BENCH_SERVICE_MODE ?? 'all'

// A check that waits on a loopback URL: the delaying fake (fan-out) or the silent server (timeouts).
function httpCheck(name: string, url: string): CheckDefinition {
  return {
    name,
    tier: 'important',
    componentType: 'component',
    live: true,
    cache: 'infrastructure',
    description: `GET ${url}`,
    settings: [],
    start: () => ({
      async run(signal) {
        const res = await fetch(url, { signal })
        await res.arrayBuffer()
        return { details: { status: res.status } }
      },
    }),
  }
}

let checks: readonly CheckDefinition[] = allChecks
if (mode === 'fanout') {
  const url = process.env.BENCH_DELAY_URL!
  checks = Array.from({ length: Number(process.env.BENCH_FANOUT_CHECKS ?? 26) }, (_, i) =>
    httpCheck(`slow-${String(i + 1).padStart(2, '0')}`, url),
  )
  // the HTTP client loads lazily on first use; the fan-out measures the runner, not that one-time load
  await (await fetch(new URL('/warm', url))).arrayBuffer()
} else if (mode === 'timeouts') {
  checks = [...allChecks, httpCheck('silent-http', process.env.BENCH_SILENT_URL!)]
}

// as the running service: the catalogue's probes in a worker thread, refreshed as HEALTH_REFRESH says (background)
const config = loadConfig(env, { envFile: false })
const app = await build(config, {
  checks,
  isolateProbes: true,
  background: config.health.HEALTH_REFRESH === 'background',
})
const url = await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 })
app.health.scheduler?.start()
const runner = app.health.runner

serveIpc(url, {
  probes: () =>
    runner.definitions.map((d) => ({
      name: d.name,
      kind: !d.live ? 'format-only' : d.cache === 'third-party' ? 'third-party' : 'live',
      tier: d.tier,
      probed: d.start !== undefined,
      probes: runner.probeCount(d.name),
      ttlMs: runner.ttlOf(d),
      timeoutMs: runner.timeoutOf(d),
    })),
  mem: () => {
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc) {
      gc()
      gc()
    }
    return { ...process.memoryUsage(), gc: Boolean(gc) }
  },
  ...profilerHandlers(),
  close: async () => {
    await app.close()
    return true
  },
})

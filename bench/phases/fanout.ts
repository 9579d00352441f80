import { startServiceTarget } from '../lib/child.js'
import { get } from '../lib/http.js'
import { median, round } from '../lib/stats.js'
import type { Ctx, Target } from '../lib/context.js'

// 26 checks that each wait on a fake answering after `delay` ms: a cold /health must take about one delay, not 26.
export async function fanout(ctx: Ctx) {
  const { s } = ctx
  const n = 26
  const first: number[] = []
  const fresh: number[] = []
  const statuses = new Set<number>()
  for (let i = 0; i < s.rounds; i++) {
    const child = await startServiceTarget(ctx.root, ctx.serviceScript, {
      env: {
        BENCH_SERVICE_MODE: 'fanout',
        BENCH_FANOUT_CHECKS: String(n),
        BENCH_DELAY_URL: `${ctx.fake.url}/delay/${s.fanoutDelayMs}`,
        // ?fresh probes every check again at once: a cold cache in a process that has already served
        BENCH_SERVICE_ENV: JSON.stringify({
          NODE_ENV: 'development',
          HEALTH_MIN_PROBE_INTERVAL_MS: '0',
          // the cold fan-out of one request, with no background probe joining it
          HEALTH_REFRESH: 'on-demand',
        }),
      },
      logFile: `${ctx.out}/fanout.log`,
    })
    try {
      const a = await get(`${child.url}/health`)
      first.push(a.ms)
      statuses.add(a.status)
      for (let j = 0; j < 3; j++) {
        const b = await get(`${child.url}/health?fresh=1`)
        fresh.push(b.ms)
        statuses.add(b.status)
      }
    } finally {
      await child.close()
    }
  }
  const limit = 1.2 * s.fanoutDelayMs
  const target: Target = {
    name: `fan-out: ${n} checks of ${s.fanoutDelayMs} ms, cache-cold /health (all probed at once)`,
    measured: `median ${round(median(fresh), 1)} ms, max ${round(Math.max(...fresh), 1)} ms`,
    limit: `<= ${limit} ms`,
    met: median(fresh) <= limit && [...statuses].every((x) => x === 200),
    note: `first request of a new process (cache and JIT cold): ${first.map((t) => round(t, 1)).join(', ')} ms; status ${[...statuses].join('/')}`,
  }
  return { targets: [target], first, fresh }
}

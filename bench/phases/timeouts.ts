import { startServiceTarget } from '../lib/child.js'
import { startSilentServer } from '../lib/fakes.js'
import { get } from '../lib/http.js'
import { platformEnv } from '../lib/env.js'
import { median, round } from '../lib/stats.js'
import type { Ctx, Target } from '../lib/context.js'
import type { ProbeInfo } from './herd.js'
import { START_LIMIT_MS } from '../../src/engine/executor.js'

// Every dependency at a server that accepts and never answers: each answer must come within its timeout + 50 ms.
export async function timeouts(ctx: Ctx) {
  const { s } = ctx
  const silent = await startSilentServer()
  const silentUrl = `http://127.0.0.1:${silent.port}`
  const env = {
    ...platformEnv(
      silentUrl,
      `postgres://postgres@127.0.0.1:${silent.port}/huntaze_bench`,
      `redis://127.0.0.1:${silent.port}`,
    ),
    HEALTH_TIMEOUT_MS: String(s.timeoutMs),
    HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    // each ?fresh request times its own probes, with no background probe already under way
    HEALTH_REFRESH: 'on-demand',
  }
  const child = await startServiceTarget(ctx.root, ctx.serviceScript, {
    env: { BENCH_SERVICE_MODE: 'timeouts', BENCH_SILENT_URL: silentUrl, BENCH_SERVICE_ENV: JSON.stringify(env) },
    logFile: `${ctx.out}/timeouts.log`,
  })
  const targets: Target[] = []
  const rows: { name: string; timeoutMs: number; times: number[]; status: number; reason?: string }[] = []
  try {
    const info = (await child.call<ProbeInfo[]>('probes')).filter((p) => p.probed)
    const tMax = Math.max(...info.map((p) => p.timeoutMs))
    const all = await get(`${child.url}/health`)
    // the first answer also loads the probe thread and each check's SDK, which by design is not counted against T
    targets.push({
      name: `timeouts: cold /health with every dependency silent (includes the probe thread's and the SDKs' start-up)`,
      measured: `${round(all.ms, 1)} ms`,
      limit: `<= ${tMax + START_LIMIT_MS} ms (longest timeout ${tMax} ms + the start-up limit)`,
      met: all.ms <= tMax + START_LIMIT_MS,
    })
    for (const p of info) {
      const times: number[] = []
      let status = 0
      let reason: string | undefined
      for (let i = 0; i < s.rounds; i++) {
        const a = await get(`${child.url}/health/${p.name}?fresh=1`)
        times.push(a.ms)
        status = a.status
        reason = (JSON.parse(a.body) as { checks?: Record<string, { reason?: string }[]> }).checks?.[
          `${p.name}:responseTime`
        ]?.[0]?.reason
      }
      rows.push({ name: p.name, timeoutMs: p.timeoutMs, times, status, reason })
    }
    const hung = rows.filter((r) => r.reason === 'TIMEOUT')
    const late = hung.filter((r) => Math.max(...r.times) > r.timeoutMs + 50)
    targets.push({
      name: `timeouts: each hung check answers within T + 50 ms (T = ${s.timeoutMs} ms unless the check sets its own)`,
      measured: hung.map((r) => `${r.name} ${round(Math.max(...r.times), 1)}`).join(', ') + ' ms (max of rounds)',
      limit: 'each <= its T + 50 ms',
      met: hung.length > 0 && late.length === 0,
      note: `median ${round(median(hung.flatMap((r) => r.times)), 1)} ms over ${hung.length} timed-out checks`,
    })
    return { targets, rows, allMs: all.ms }
  } finally {
    await child.close()
    await silent.close()
  }
}

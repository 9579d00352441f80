import type { Ctx } from '../lib/context.js'
import { median, round } from '../lib/stats.js'
import { throughput } from './throughput.js'

const modes = ['on-demand', 'background'] as const

// The probe routes' ratios with HEALTH_REFRESH=on-demand and background, the two alternated (A B B A), so that
// background probing is seen not to slow the request path: its probes run in the probe thread, off it.
export async function refreshModes(ctx: Ctx) {
  const ratios: Record<(typeof modes)[number], Record<string, number[]>> = { 'on-demand': {}, background: {} }
  for (const order of [modes, [...modes].reverse()])
    for (const mode of order) {
      const tp = await throughput({ ...ctx, env: { ...ctx.env, HEALTH_REFRESH: mode } })
      for (const r of tp.rows)
        if (r.kind === 'service' && r.ratio !== undefined) (ratios[mode][r.path] ??= []).push(r.ratio)
    }
  const rows = Object.keys(ratios['on-demand']).map((path) => {
    const onDemand = median(ratios['on-demand'][path])
    const background = median(ratios.background[path] ?? [])
    return { path, onDemand: round(onDemand, 3), background: round(background, 3) }
  })
  for (const r of rows) ctx.log(`  ${r.path}: on-demand ${r.onDemand}, background ${r.background}`)
  return rows
}

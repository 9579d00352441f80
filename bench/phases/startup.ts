import { existsSync, readFileSync, rmSync } from 'node:fs'
import { get } from '../lib/http.js'
import { startService } from '../lib/service-process.js'
import { median, round } from '../lib/stats.js'
import type { Ctx, Target } from '../lib/context.js'

const heavy = [/^@aws-sdk\//, /^@smithy\//, /^stripe$/, /^nodemailer$/, /^pg$/, /^ioredis$/]

interface Run {
  ms: number
  // packages and the wall-clock time each was first resolved, when recorded
  packages?: Map<string, number>
  liveAt: number
}

function packageOf(url: string): string | undefined {
  const i = url.lastIndexOf('node_modules/')
  if (i < 0) return undefined
  const parts = url.slice(i + 'node_modules/'.length).split('/')
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
}

// `node dist/service.js` (the production bundle), from spawn to the first 200 on /live; with the preload, the modules it loaded.
async function once(ctx: Ctx, env: Record<string, string>, record: boolean): Promise<Run> {
  const modulesOut = `${ctx.out}/modules.json`
  rmSync(modulesOut, { force: true })
  const preload = record ? ['--import', `${ctx.root}bench/module-log.mjs`] : []
  const started = performance.now()
  const svc = await startService(ctx.root, ctx.out, { BENCH_MODULES_OUT: modulesOut, ...env }, preload)
  let ms: number
  let liveAt: number
  try {
    const a = await get(`${svc.url}/live`)
    ms = performance.now() - started
    liveAt = Date.now()
    if (a.status !== 200) throw new Error(`/live answered ${a.status}`)
  } finally {
    // the preload writes what it recorded on the way out
    await svc.stop()
  }
  let packages: Map<string, number> | undefined
  if (record && existsSync(modulesOut)) {
    packages = new Map()
    for (const m of JSON.parse(readFileSync(modulesOut, 'utf8')) as { url: string; t: number }[]) {
      const p = packageOf(m.url)
      if (p && !(packages.get(p)! <= m.t)) packages.set(p, m.t)
    }
  }
  return { ms, packages, liveAt }
}

export async function startup(ctx: Ctx) {
  const variants = [
    { name: 'nothing configured', env: {} as Record<string, string> },
    { name: 'everything configured', env: ctx.env },
  ]
  const targets: Target[] = []
  const rows: {
    name: string
    times: number[]
    byLive: string[]
    later: string[]
    heavyByLive: string[]
    heavyEver: string[]
  }[] = []
  for (const v of variants) {
    const times: number[] = []
    for (let i = 0; i < Math.max(5, ctx.s.rounds); i++) times.push((await once(ctx, v.env, false)).ms)
    const rec = await once(ctx, v.env, true)
    const pk = [...(rec.packages ?? new Map<string, number>())].sort((a, b) => a[1] - b[1])
    const byLive = pk.filter(([, t]) => t <= rec.liveAt).map(([p]) => p)
    const later = pk.filter(([, t]) => t > rec.liveAt).map(([p]) => p)
    const isHeavy = (p: string) => heavy.some((r) => r.test(p))
    rows.push({
      name: v.name,
      times,
      byLive,
      later,
      heavyByLive: byLive.filter(isHeavy),
      heavyEver: pk.map(([p]) => p).filter(isHeavy),
    })
    targets.push({
      name: `start-up to first /live 200 (${v.name})`,
      measured: `median ${round(median(times), 0)} ms`,
      limit: '<= 300 ms',
      met: median(times) <= 300,
      note: `runs: ${times.map((t) => Math.round(t)).join(', ')} ms`,
    })
  }
  const bare = rows[0]
  targets.push({
    name: 'start-up: SDKs of unconfigured checks not loaded (@aws-sdk/*, @smithy/*, stripe, nodemailer, pg, ioredis)',
    measured: bare.heavyEver.length ? `loaded: ${bare.heavyEver.join(', ')}` : 'none loaded',
    limit: 'none',
    met: bare.heavyEver.length === 0,
  })
  return { targets, rows }
}

import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { platformEnv } from './lib/env.js'
import { startJsonFake } from './lib/fakes.js'
import { adminClient, BENCH_DB, ensureBenchDb } from './lib/pg.js'
import { fmt, round } from './lib/stats.js'
import { loadSettings, paths, type Ctx, type Target } from './lib/context.js'
import { pin, pinning } from './lib/child.js'
import { throughput } from './phases/throughput.js'
import { refreshModes } from './phases/refresh.js'
import { fleetPhase } from './phases/fleet.js'
import { herd } from './phases/herd.js'
import { fanout } from './phases/fanout.js'
import { timeouts } from './phases/timeouts.js'
import { startup } from './phases/startup.js'
import { footprint, memory, memoryReport } from './phases/memory.js'
import { profile } from './phases/profile.js'
import { image, mib } from './phases/image.js'

const s = loadSettings()
// `--only memory` runs the memory phases alone and rewrites only the memory section of bench/RESULTS.md;
// `--only refresh` compares the probe routes' ratios with HEALTH_REFRESH=on-demand and background, and `--only fleet`
// counts the provider calls of 1 and 3 replicas of one fleet and compares the ratios with it on and off; they write
// nothing
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined
if (only !== undefined && only !== 'memory' && only !== 'refresh' && only !== 'fleet')
  throw new Error(`--only takes one phase, memory, refresh or fleet; got ${only}`)
const p = paths()
if (!existsSync(`${p.root}dist/server.js`))
  throw new Error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`')

const log = (line: string) => console.log(line)
pin(process.pid, 1)
const cpus = os.cpus()
const machine = `${cpus[0]?.model ?? 'unknown CPU'} x ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}, Node ${process.version}, load average ${os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ')} at start`
const started = new Date()
log(
  `huntaze-health bench, ${s.mode} mode: ${s.connections} connections, throughput in ${s.tpRounds} rounds of ${s.seconds} s per target over ${s.tpBlocks} sets of processes, ratios per round, medians`,
)
log(machine)

const fake = await startJsonFake()
const admin = await adminClient(s.pgUrl)
await ensureBenchDb(admin)
const benchDbUrl = Object.assign(new URL(s.pgUrl), { pathname: `/${BENCH_DB}` }).href
const ctx: Ctx = { s, ...p, fake, admin, env: platformEnv(fake.url, benchDbUrl, s.redisUrl), benchDbUrl, log }

const targets: Target[] = []
const section = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const t = performance.now()
  log(`\n== ${name}`)
  const r = await fn()
  log(`   (${round((performance.now() - t) / 1000, 1)} s)`)
  return r
}

const memoryPhases = async () => {
  const me = await section(`memory (${s.memoryRequests.toLocaleString('en-US')} requests)`, () => memory(ctx))
  const fp = await section('footprint: resident memory by configuration, CPU per 1,000 requests', () => footprint(ctx))
  return { me, fp, targets: [...me.targets, ...fp.targets] }
}

// one line a run, so before and after stay side by side
const historyFile = `${p.bench}history.jsonl`
const recordRun = (ran: Target[]) =>
  appendFileSync(
    historyFile,
    JSON.stringify({
      date: started.toISOString(),
      mode: only ? `${s.mode}, --only ${only}` : s.mode,
      label: process.env.BENCH_LABEL ?? '',
      targets: ran.map((t) => ({ name: t.name, measured: t.measured, met: t.met })),
    }) + '\n',
  )
const logTargets = (ran: Target[]) => {
  log('\n== targets')
  for (const t of ran)
    log(`  [${t.met ? 'met' : 'NOT MET'}] ${t.name}: ${t.measured} (limit ${t.limit})${t.note ? ` - ${t.note}` : ''}`)
}

try {
  if (only === 'fleet') {
    await section('fleet: provider calls of 1 and 3 replicas, and the ratios with the fleet on and off', () =>
      fleetPhase(ctx),
    )
  } else if (only === 'refresh') {
    await section('throughput by HEALTH_REFRESH: on-demand, background, background, on-demand', () => refreshModes(ctx))
  } else if (only === 'memory') {
    const m = await memoryPhases()
    const file = `${p.bench}RESULTS.md`
    const results = readFileSync(file, 'utf8')
    const from = results.indexOf('## Memory\n')
    const to = results.indexOf('\n## ', from + 1)
    if (from < 0 || to < 0) throw new Error('bench/RESULTS.md has no memory section to replace: run the whole bench')
    const part = memoryReport(m.me, m.fp, s.memoryRequests)
    part.splice(
      2,
      0,
      `From a \`--only memory\` run on ${started.toISOString()}; the rest of this file is from the run above.`,
      '',
    )
    writeFileSync(file, results.slice(0, from) + part.join('\n') + results.slice(to))
    recordRun(m.targets)
    logTargets(m.targets)
    log('\nrewrote the memory section of bench/RESULTS.md')
  } else {
    const tp = await section('throughput: service vs bare Fastify vs bare node:http', () => throughput(ctx))
    targets.push(...tp.targets)
    const hd = await section('herd: cold burst and sustained polling', () => herd(ctx))
    targets.push(...hd.targets)
    const fo = await section('fan-out', () => fanout(ctx))
    targets.push(...fo.targets)
    const to = await section('timeouts', () => timeouts(ctx))
    targets.push(...to.targets)
    const su = await section('start-up (the production bundle, dist/service.js)', () => startup(ctx))
    targets.push(...su.targets)
    const me = await memoryPhases()
    targets.push(...me.targets)
    const im = await section('image: the Dockerfile replayed, the runtime stage measured', () => image(ctx))
    targets.push(...im.targets)
    const pr = s.profile ? await section('CPU profile of /ready and /health', () => profile(ctx)) : []

    // ---------- report ----------
    const md: string[] = []
    const table = (head: string[], rows: (string | number)[][]) => {
      md.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`)
      for (const r of rows) md.push(`| ${r.join(' | ')} |`)
      md.push('')
    }
    md.push('# Benchmark results', '')
    md.push('Written by `npm run bench` (bench/run.ts); do not edit by hand: notes live in bench/profile-notes.md.', '')
    md.push(`- Date: ${started.toISOString()}`)
    md.push(
      `- Mode: ${s.mode}${s.quick ? ' (shorter rounds, fewer memory requests, shorter sustained polling than the issue asks; run without BENCH_QUICK for the full figures)' : ''}`,
    )
    md.push(`- Machine: ${machine}`)
    md.push(
      `- Load: autocannon on 127.0.0.1, ${s.connections} connections, ${s.tpRounds} rounds of ${s.seconds} s per target, spread over ${s.tpBlocks} sets of freshly started processes; each round runs the service (A), its Fastify ceiling (B) and bare node:http (N) back to back as A B N B A (B A N A B the next round), A and B in half-slices placed symmetrically around the same instant, and the ratio is taken within the round; the tables give the median of those ratios and the middle half of them (25th to 75th percentile); each target in its own process, the load generator in another${pinning ? '; targets pinned to core 0, the load generator to core 1 (taskset, BENCH_PIN=1)' : ''}`,
    )
    md.push(
      '- Service: compiled dist/ (build(config) + listen), real PostgreSQL (dedicated database huntaze_bench) and Redis, every other provider at one loopback JSON fake',
    )
    md.push(
      '- Noise: on this 2-core virtual machine the same code runs at speeds that differ by up to a quarter between back-to-back half-second rounds, in one process as much as in two; absolute numbers move between runs, so only ratios taken within a round, over many rounds, are compared',
      '',
    )

    md.push('## Targets', '')
    table(
      ['target', 'measured', 'limit', 'met', 'note'],
      targets.map((t) => [t.name, t.measured, t.limit, t.met ? 'met' : '**not met**', t.note ?? '']),
    )

    md.push('## Throughput', '')
    md.push(
      `Body sizes: ${Object.entries(tp.bodyBytes)
        .map(([k, v]) => `${k} ${v} B`)
        .join(
          ', ',
        )}. Ceilings answer with the same status, content-type, cache-control and body bytes (verified before measuring). Latency in ms, from every response.`,
      '',
    )
    table(
      [
        'route',
        'target',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'non-2xx (status)',
        'ratio to Fastify ceiling (middle half)',
        'ratio to node:http',
        'req/s by round',
      ],
      tp.rows.map((r) => [
        r.path,
        r.kind,
        fmt(r.rps, 0),
        fmt(r.p50, 3),
        fmt(r.p99, 3),
        r.errors,
        `${r.non2xx} (${r.status})`,
        r.ratio !== undefined ? `${fmt(r.ratio, 3)} (${fmt(r.ratioSpread![0], 2)}-${fmt(r.ratioSpread![1], 2)})` : '',
        r.ratioNode !== undefined ? fmt(r.ratioNode, 3) : '',
        r.rounds.map((x) => Math.round(x.rps)).join(', '),
      ]),
    )
    md.push('### Check outcomes against the fake', '')
    md.push(
      'The bench measures the HTTP path, not the checks: providers whose protocol the generic fake does not speak fail, which is expected.',
      '',
    )
    table(
      ['check', 'status', 'reason', 'output'],
      tp.outcomes.map((o) => [o.name, o.status, o.reason ?? '', (o.output ?? '').replace(/\|/g, '/').slice(0, 140)]),
    )

    md.push('## Herd', '')
    table(
      [
        'check',
        'kind',
        'probed',
        'cold burst probes',
        `sustained probes (${round(hd.sustained.windowMs / 1000, 1)} s)`,
        'ttl ms',
        'sustained bound',
      ],
      hd.cold.probes.map((c, i) => {
        const z = hd.sustained.probes[i]
        return [
          c.name,
          c.kind,
          c.probed ? 'yes' : 'no (format only or pending)',
          c.probes,
          z.probes,
          z.ttlMs,
          c.probed ? Math.floor(hd.sustained.windowMs / z.ttlMs) + 1 : '',
        ]
      }),
    )
    md.push(
      `PostgreSQL, from pg_stat_database for ${BENCH_DB} (transactions minus session start-ups, read after the pool's session ended): cold burst ${hd.cold.pgStatements} statement(s) over ${hd.cold.pgSessions} session(s); sustained ${hd.sustained.pgStatements} statement(s) over ${hd.sustained.pgSessions} session(s), ${hd.sustained.polled} requests polled.`,
      '',
    )

    md.push('## Timeouts', '')
    md.push(
      `Every dependency at a TCP server that accepts and never answers; HEALTH_TIMEOUT_MS=${s.timeoutMs}. Cold /health with all of them: ${round(to.allMs, 1)} ms.`,
      '',
    )
    table(
      ['check', 'timeout ms', 'answer ms (fresh probe, each round)', 'status', 'reason'],
      to.rows.map((r) => [r.name, r.timeoutMs, r.times.map((t) => round(t, 1)).join(', '), r.status, r.reason ?? '']),
    )

    md.push('## Start-up', '')
    for (const r of su.rows) {
      md.push(`- ${r.name}: ${r.times.map((t) => Math.round(t)).join(', ')} ms to the first /live 200`)
      md.push(`  - packages loaded by then (${r.byLive.length}): ${r.byLive.join(', ') || 'none'}`)
      md.push(`  - loaded after (the warm-up of critical checks): ${r.later.join(', ') || 'none'}`)
      md.push(
        `  - SDKs: ${r.heavyEver.length ? r.heavyEver.join(', ') : 'none'} (by /live: ${r.heavyByLive.join(', ') || 'none'})`,
      )
    }
    md.push('')

    md.push(...memoryReport(me.me, me.fp, s.memoryRequests))

    md.push('## Image', '')
    md.push(
      `What the Dockerfile's runtime stage copies, replayed without a Docker engine (test/support/image.ts): ${fmt(mib(im.size.bytes), 1)} MiB in ${im.size.files} files (apparent sizes), the base image not counted. Largest packages:`,
      '',
    )
    table(
      ['package', 'MiB'],
      im.largest.map(([name, bytes]) => [name, fmt(mib(bytes), 1)]),
    )

    md.push('## Profile', '')
    for (const x of pr) {
      const sm = x.summary
      md.push(
        `### ${x.path}, ${x.target === 'service' ? 'service' : 'bare Fastify ceiling'}: ${fmt(sm.busyUsPerReq, 1)} µs of CPU per request (${sm.requests.toLocaleString('en-US')} requests, ${fmt(x.rps, 0)} req/s; profile bench/out/profiles/${x.file.split('/').pop()})`,
        '',
      )
      table(
        ['area', 'µs/request', 'share of busy CPU'],
        sm.byArea.map((r) => [r.fn, fmt(r.usPerReq, 2), `${fmt(r.share * 100, 1)}%`]),
      )
      md.push('Top functions by self time:', '')
      table(
        ['function', 'µs/request', 'share'],
        sm.topSelf.map((r) => [`\`${r.fn}\``, fmt(r.usPerReq, 2), `${fmt(r.share * 100, 1)}%`]),
      )
      md.push('Service and Fastify request steps, inclusive time:', '')
      table(
        ['function', 'µs/request', 'share'],
        sm.topInclusive.map((r) => [`\`${r.fn}\``, fmt(r.usPerReq, 2), `${fmt(r.share * 100, 1)}%`]),
      )
    }
    const notes = `${p.bench}profile-notes.md`
    if (existsSync(notes)) md.push(readFileSync(notes, 'utf8').trim(), '')

    recordRun(targets)
    const history = readFileSync(historyFile, 'utf8')
      .trim()
      .split('\n')
      .slice(-8)
      .map(
        (l) =>
          JSON.parse(l) as {
            date: string
            mode: string
            label: string
            targets: { name: string; measured: string; met: boolean }[]
          },
      )
    md.push('## History (last runs, from bench/history.jsonl; set BENCH_LABEL=before|after to tag a run)', '')
    table(
      ['date', 'mode', 'label', 'targets met', 'throughput ratios'],
      history.map((h) => [
        h.date,
        h.mode,
        h.label,
        `${h.targets.filter((t) => t.met).length}/${h.targets.length}`,
        h.targets
          .filter((t) => t.name.includes('ceiling'))
          .map((t) => `${t.name.split(' ')[0]} ${t.measured.split(' ')[0]}`)
          .join(', '),
      ]),
    )

    writeFileSync(`${p.bench}RESULTS.md`, md.join('\n'))

    logTargets(targets)
    log('\n== throughput (median req/s, p50/p99 ms, ratio to the Fastify ceiling)')
    for (const r of tp.rows)
      log(
        `  ${r.path.padEnd(18)} ${r.kind.padEnd(8)} ${fmt(r.rps, 0).padStart(8)}  ${fmt(r.p50, 3)}/${fmt(r.p99, 3)}  errors ${r.errors}  ${r.ratio !== undefined ? `ratio ${fmt(r.ratio, 3)}` : ''}`,
      )
    for (const x of pr)
      log(
        `  profile ${x.target} ${x.path}: ${fmt(x.summary.busyUsPerReq, 1)} µs CPU/request; top: ${x.summary.topSelf
          .slice(0, 5)
          .map((r) => `${r.fn} ${fmt(r.usPerReq, 1)}`)
          .join('; ')}`,
      )
    log(`\nwrote bench/RESULTS.md; logs and profiles in bench/out/`)
  }
} finally {
  await admin.end()
  await fake.close()
}

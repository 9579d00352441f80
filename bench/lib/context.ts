import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import type { JsonFake } from './fakes.js'

const num = (name: string, fallback: number): number => {
  const v = process.env[name]
  if (v === undefined || v.trim() === '') return fallback
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${v}`)
  return n
}

export function loadSettings() {
  const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick')
  const s = {
    quick,
    // throughput: many short rounds, each with the service and its ceilings back to back
    seconds: num('BENCH_SECONDS', quick ? 0.5 : 1),
    tpRounds: Math.round(num('BENCH_TP_ROUNDS', quick ? 6 : 20)),
    // the throughput rounds are spread over this many sets of freshly started processes
    tpBlocks: Math.round(num('BENCH_TP_PROCESSES', quick ? 2 : 5)),
    // fan-out, timeouts, start-up
    rounds: Math.round(num('BENCH_ROUNDS', quick ? 2 : 3)),
    connections: Math.round(num('BENCH_CONNECTIONS', 10)),
    warmSeconds: num('BENCH_WARM_SECONDS', quick ? 1 : 2),
    herd: Math.round(num('BENCH_HERD', 1000)),
    sustainSeconds: num('BENCH_SUSTAIN_SECONDS', quick ? 6 : 30),
    sustainTtlMs: Math.round(num('BENCH_SUSTAIN_TTL_MS', 1000)),
    fanoutDelayMs: Math.round(num('BENCH_FANOUT_DELAY_MS', 100)),
    timeoutMs: Math.round(num('BENCH_TIMEOUT_MS', 500)),
    memoryRequests: Math.round(num('BENCH_MEMORY_REQUESTS', quick ? 200_000 : 1_000_000)),
    // the footprint's CPU figures: polling at each of these many requests a second for this long
    pollRate: Math.round(num('BENCH_POLL_RATE', 500)),
    quietRate: Math.round(num('BENCH_QUIET_RATE', 10)),
    pollSeconds: num('BENCH_POLL_SECONDS', quick ? 10 : 30),
    profileSeconds: num('BENCH_PROFILE_SECONDS', quick ? 3 : 5),
    profile: process.env.BENCH_PROFILE !== '0',
    pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  }
  const custom = [
    'BENCH_SECONDS',
    'BENCH_TP_ROUNDS',
    'BENCH_TP_PROCESSES',
    'BENCH_ROUNDS',
    'BENCH_CONNECTIONS',
    'BENCH_SUSTAIN_SECONDS',
    'BENCH_MEMORY_REQUESTS',
  ].filter((k) => process.env[k])
  return { ...s, mode: `${quick ? 'quick' : 'full'}${custom.length ? ` (overridden: ${custom.join(', ')})` : ''}` }
}

export type Settings = ReturnType<typeof loadSettings>

export interface Target {
  name: string
  measured: string
  limit: string
  met: boolean
  note?: string
}

export interface Ctx {
  s: Settings
  root: string
  out: string
  serviceScript: string
  ceilingScript: string
  fake: JsonFake
  admin: pg.Client
  // the platform settings every service instance gets: PostgreSQL and Redis real, the rest at the fake
  env: Record<string, string>
  benchDbUrl: string
  log(line: string): void
}

export function paths() {
  const bench = fileURLToPath(new URL('..', import.meta.url))
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const out = `${bench}out`
  mkdirSync(`${out}/profiles`, { recursive: true })
  return { bench, root, out, serviceScript: `${bench}targets/service.ts`, ceilingScript: `${bench}targets/ceiling.ts` }
}

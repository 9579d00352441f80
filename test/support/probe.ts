import type { Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { CheckDefinition } from '../../src/checks/types.js'
import type { BuildOptions } from '../../src/server.js'
import { appWith, type Captured } from './helpers.js'

// A loaded CI machine is slow to schedule: an answer "within the timeout" is held to the timeout plus this.
export const MARGIN_MS = 1500

// what JSON.parse gives: the tests read bodies as untyped JSON, and their assertions check the shape
type Json = ReturnType<typeof JSON.parse>

// One check's entry of a health+json body, as the tests read it.
export interface Entry {
  status: string
  reason?: string
  output?: string
  findings?: { setting?: string; problem?: string; message: string; severity: string }[]
  [key: string]: Json
}

export interface Probed {
  res: LightMyRequestResponse
  httpStatus: number
  body: string
  json: { status: string; checks: Record<string, Entry[]> } & Record<string, Json>
  checks: Record<string, Entry[]>
  // the check's own <name>:responseTime entry
  entry: Entry
  elapsedMs: number
}

// One timed GET /health/<name>, with the check's entry picked out of the answer.
export async function probe(app: FastifyInstance, name: string, query = ''): Promise<Probed> {
  const started = performance.now()
  const res = await app.inject(`/health/${name}${query}`)
  const elapsedMs = performance.now() - started
  const json = res.json()
  return {
    res,
    httpStatus: res.statusCode,
    body: res.body,
    json,
    checks: json.checks,
    entry: json.checks?.[`${name}:responseTime`]?.[0],
    elapsedMs,
  }
}

export interface CheckApp {
  app: FastifyInstance
  logs: Captured
}

// An app with exactly these checks, closed with the test. Its first request pays for Fastify's lazy setup: that is
// done here, so that no timed probe includes it.
export async function checkApp(
  t: Test,
  checks: readonly CheckDefinition[],
  env: Record<string, string | undefined>,
  opts: Omit<BuildOptions, 'logStream' | 'checks'> = {},
): Promise<CheckApp> {
  const { app, logs } = await appWith(env, { ...opts, checks })
  t.teardown(() => app.close())
  await app.inject('/health/no-such-check')
  return { app, logs }
}

export interface CheckProbe extends Probed, CheckApp {
  // asks again, as a monitor would; the body is kept with the others
  get: (query?: string) => Promise<LightMyRequestResponse>
  // polls the JSON and the text view in turn; returns every body seen
  poll: (times?: number, query?: string) => Promise<string>
  // every body answered so far, the first probe's included
  bodies: () => string
}

// Builds an app for the one check and probes it once.
export async function probeCheck(
  t: Test,
  def: CheckDefinition,
  env: Record<string, string | undefined>,
  opts: Omit<BuildOptions, 'logStream' | 'checks'> = {},
): Promise<CheckProbe> {
  const { app, logs } = await checkApp(t, [def], env, opts)
  const first = await probe(app, def.name)
  const seen = [first.body]
  const get = async (query = '') => {
    const res = await app.inject(`/health/${def.name}${query}`)
    seen.push(res.body)
    return res
  }
  const poll = async (times = 4, query = '') => {
    const bodies: string[] = []
    for (let i = 0; i < times; i++)
      bodies.push((await get(i % 2 ? `${query}${query ? '&' : '?'}verbose=1` : query)).body)
    return bodies.join('\n')
  }
  return { ...first, app, logs, get, poll, bodies: () => seen.join('\n') }
}

// An AWS answer without the fields the check reads: BAD_RESPONSE, naming the call, the endpoint it came from and
// its setting, then what it lacks.
export function assertShapeless(
  t: Test,
  entry: Entry,
  call: string,
  endpointSetting: string,
  missing: RegExp | string,
) {
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'BAD_RESPONSE')
  t.match(
    entry.output,
    new RegExp(`^${call}: the answer at http://127\\.0\\.0\\.1:\\d+ \\(${endpointSetting}\\) lacks `),
  )
  t.match(entry.output, missing)
}

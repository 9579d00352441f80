import type { FastifyReply, FastifyRequest } from 'fastify'
import { aggregate, httpStatusOf, renderJson, renderText, type OverallStatus, type ReportMeta } from '../report.js'
import type { CheckResult } from '../runner.js'
import type { HealthState, Rendered } from '../state.js'

export const HEALTH_JSON = 'application/health+json'
const JSON_TYPE = `${HEALTH_JSON}; charset=utf-8`
const TEXT_TYPE = 'text/plain; charset=utf-8'

type Flags = { verbose?: string; fresh?: string }

export function wantsText(req: FastifyRequest<{ Querystring: Flags }>): boolean {
  const v = req.query.verbose
  if (v !== undefined && v !== 'false' && v !== '0') return true
  const accept = req.headers.accept
  return accept !== undefined && accept.startsWith('text/plain')
}

export function wantsFresh(req: FastifyRequest<{ Querystring: Flags }>): boolean {
  const f = req.query.fresh
  if (f !== undefined && f !== 'false' && f !== '0') return true
  const cc = req.headers['cache-control']
  return cc !== undefined && cc.includes('no-cache')
}

// Answers now when the value is at hand, or when the promise settles; a rejection is a programming error (500).
export function settle<T>(reply: FastifyReply, value: T | Promise<T>, then: (v: T) => unknown): void {
  if (value instanceof Promise) value.then(then, (err: Error) => reply.send(err))
  else then(value)
}

// A string body goes out with the headers in one write; a Buffer would take a second one.
export function sendJson(reply: FastifyReply, code: number, body: string): FastifyReply {
  return reply.code(code).header('cache-control', 'no-store').header('content-type', JSON_TYPE).send(body)
}

export function sendRendered(reply: FastifyReply, r: Rendered): void {
  reply.code(r.code).header('cache-control', 'no-store').header('content-type', r.type).send(r.body)
}

// The hot path: while nothing changed and no result has expired, the cached bytes are the answer.
export function cachedAnswer(state: HealthState, key: string, req: FastifyRequest<{ Querystring: Flags }>): Rendered | undefined {
  if (req.query.fresh !== undefined || req.headers['cache-control']?.includes('no-cache')) return undefined
  const hit = state.rendered.get(wantsText(req) ? `text-${key}` : key)
  if (!hit || hit.version !== state.runner.version || Date.now() >= hit.validUntil) return undefined
  return hit
}

// JSON is rendered once per (variant, runner version) and kept until a result expires or a stale one may no longer
// be served; the text view shows ages in whole seconds, so it is also rendered again each second.
export function send(
  state: HealthState,
  meta: ReportMeta,
  req: FastifyRequest<{ Querystring: Flags }>,
  reply: FastifyReply,
  key: string,
  label: string,
  results: readonly CheckResult[],
  status: OverallStatus = aggregate(results),
): void {
  const code = httpStatusOf(status)
  const text = wantsText(req)
  const cacheKey = text ? `text-${key}` : key
  let hit = state.rendered.get(cacheKey)
  const now = Date.now()
  if (!hit || hit.version !== state.runner.version || hit.code !== code || now >= hit.validUntil) {
    const until = state.runner.validUntil(results.map((r) => r.name), now)
    hit = text
      ? // ages are shown in whole seconds, so the text view is rendered at most once a second
        { version: state.runner.version, code, type: TEXT_TYPE, validUntil: Math.min(Math.floor(now / 1000 + 1) * 1000, until), body: renderText(label, results, status, now) }
      : { version: state.runner.version, code, type: JSON_TYPE, validUntil: until, body: renderJson(meta, results, status) }
    if (state.rendered.size > 256) state.rendered.clear()
    state.rendered.set(cacheKey, hit)
  }
  sendRendered(reply, hit)
}

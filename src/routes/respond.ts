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

// The hot path: while nothing changed and no result has expired, the cached bytes are the answer.
export function cachedAnswer(state: HealthState, key: string, req: FastifyRequest<{ Querystring: Flags }>): Rendered | undefined {
  const hit = state.rendered.get(key)
  if (!hit || hit.version !== state.runner.version || Date.now() >= hit.validUntil) return undefined
  if (req.query.verbose !== undefined || req.query.fresh !== undefined || req.headers.accept?.startsWith('text/plain') || req.headers['cache-control']?.includes('no-cache')) return undefined
  return hit
}

// JSON is rendered once per (variant, runner version); the text view shows ages, so it is rendered each time.
export function send(
  state: HealthState,
  meta: ReportMeta,
  req: FastifyRequest<{ Querystring: Flags }>,
  reply: FastifyReply,
  key: string,
  label: string,
  results: readonly CheckResult[],
  status: OverallStatus = aggregate(results),
): FastifyReply {
  const code = httpStatusOf(status)
  if (wantsText(req)) {
    // ages are shown in whole seconds, so the text is rendered at most once a second per variant
    const now = Date.now()
    const second = Math.floor(now / 1000)
    const textKey = `text-${key}`
    let text = state.rendered.get(textKey)
    if (!text || text.version !== state.runner.version || text.code !== code || text.validUntil !== second) {
      text = { version: state.runner.version, code, validUntil: second, body: renderText(label, results, status, second * 1000) }
      state.rendered.set(textKey, text)
    }
    return reply.code(code).header('cache-control', 'no-store').header('content-type', TEXT_TYPE).send(text.body)
  }
  let hit = state.rendered.get(key)
  if (!hit || hit.version !== state.runner.version || hit.code !== code) {
    let validUntil = Infinity
    for (const r of results) if (r.expiresAt < validUntil) validUntil = r.expiresAt
    hit = { version: state.runner.version, code, validUntil, body: renderJson(meta, results, status) }
    if (state.rendered.size > 256) state.rendered.clear()
    state.rendered.set(key, hit)
  }
  return sendJson(reply, code, hit.body)
}

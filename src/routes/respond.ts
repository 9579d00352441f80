import type { FastifyReply, FastifyRequest } from 'fastify'
import { aggregate, httpStatusOf, renderJson, renderText, type OverallStatus, type ReportMeta } from '../report.js'
import type { CheckResult } from '../runner.js'
import type { HealthState } from '../state.js'

export const HEALTH_JSON = 'application/health+json'

export function wantsText(req: FastifyRequest<{ Querystring: { verbose?: string } }>): boolean {
  const v = req.query.verbose
  if (v !== undefined && v !== 'false' && v !== '0') return true
  const accept = req.headers.accept
  return accept !== undefined && accept.startsWith('text/plain')
}

export function wantsFresh(req: FastifyRequest<{ Querystring: { fresh?: string } }>): boolean {
  const f = req.query.fresh
  if (f !== undefined && f !== 'false' && f !== '0') return true
  const cc = req.headers['cache-control']
  return cc !== undefined && /\bno-cache\b/.test(cc)
}

// JSON is rendered once per (variant, runner version); the text view shows ages, so it is rendered each time.
export function send(
  state: HealthState,
  meta: ReportMeta,
  req: FastifyRequest<{ Querystring: { verbose?: string } }>,
  reply: FastifyReply,
  key: string,
  label: string,
  results: readonly CheckResult[],
  status: OverallStatus = aggregate(results),
): FastifyReply {
  reply.header('cache-control', 'no-store')
  const code = httpStatusOf(status)
  if (wantsText(req)) {
    return reply.code(code).type('text/plain; charset=utf-8').send(renderText(label, results, status))
  }
  const cached = state.rendered.get(key)
  let body: string
  if (cached && cached.version === state.runner.version && cached.status === status) {
    body = cached.body
  } else {
    body = renderJson(meta, results, status)
    if (state.rendered.size > 256) state.rendered.clear()
    state.rendered.set(key, { version: state.runner.version, status, body })
  }
  return reply.code(code).type(HEALTH_JSON).send(body)
}

import type { FastifyReply, FastifyRequest } from 'fastify'
import { aggregate, httpStatusOf } from '../engine/aggregate.js'
import type { CheckResult } from '../engine/result.js'
import type { HealthStatus } from '../engine/status.js'
import type { HealthState } from '../state.js'
import { echo, sendError } from '../http-contract.js'
import { renderJson, renderText, show, type ReportMeta } from './render.js'
import type { Form, Rendered } from './render-cache.js'

export const HEALTH_JSON = 'application/health+json'
const JSON_TYPE = `${HEALTH_JSON}; charset=utf-8`
const TEXT_TYPE = 'text/plain; charset=utf-8'

type Flags = { verbose?: string; fresh?: string }

// What a request asks for, read once: which view, whether it wants a new probe, and (decided by the access hook)
// what its caller may see.
export interface Asked extends Form {
  fresh: boolean
}

const on = (v: string | undefined) => v !== undefined && v !== 'false' && v !== '0'

export function asked(req: FastifyRequest<{ Querystring: Flags }>): Asked {
  const accept = req.headers.accept
  const cc = req.headers['cache-control']
  return {
    view: on(req.query.verbose) || (accept !== undefined && accept.startsWith('text/plain')) ? 'text' : 'json',
    fresh: on(req.query.fresh) || (cc !== undefined && cc.includes('no-cache')),
    disclosure: req.disclosure,
  }
}

// The check a /health/{service} route names, once the request is valid; undefined when the answer was sent instead:
// a 400 for a bad querystring, or the 404 listing the known names for an unknown check (the name's enum failed).
export function namedCheck(
  req: FastifyRequest<{ Params: { service: string } }>,
  reply: FastifyReply,
  state: HealthState,
): string | undefined {
  const name = req.params.service
  const invalid = req.validationError
  if (invalid && invalid.validationContext !== 'params') return void reply.send(invalid)
  if (invalid || !state.runner.has(name))
    return void sendError(reply, state, 404, `no check named "${echo(state.scrub, String(name))}"`, {
      known: state.allNames,
    })
  return name
}

// Answers now when the value is at hand, or when the promise settles. A rejection, or a throw while answering once
// it settled, is a programming error: the error handler answers 500, so no request is left hanging.
export function settle<T>(reply: FastifyReply, value: T | Promise<T>, then: (v: T) => unknown): void {
  if (value instanceof Promise) value.then(then).catch((err: Error) => reply.send(err))
  else then(value)
}

// A string body goes out with the headers in one write; a Buffer would take a second one.
export function sendJson(reply: FastifyReply, code: number, body: string): FastifyReply {
  return reply.code(code).header('cache-control', 'no-store').header('content-type', JSON_TYPE).send(body)
}

export function sendRendered(reply: FastifyReply, r: Rendered): void {
  reply.code(r.code).header('cache-control', 'no-store').header('content-type', r.type).send(r.body)
}

// The hot path: while nothing changed and no result has expired, the cached bytes are the answer. A fresh probe
// was asked for: the bytes cannot be it.
export function cachedAnswer(state: HealthState, key: string, a: Asked): Rendered | undefined {
  if (a.fresh) return undefined
  return state.rendered.lookup(key, a, state.runner.version, state.runner.clock.now())
}

// Rendered once per (view, disclosure, runner version, code) and kept while the results hold. The results are
// projected for the caller here, before any view sees them.
export function send(
  state: HealthState,
  meta: ReportMeta,
  a: Asked,
  reply: FastifyReply,
  key: string,
  label: string,
  results: readonly CheckResult[],
  status: HealthStatus = aggregate(results),
): void {
  const code = httpStatusOf(status)
  const now = state.runner.clock.now()
  const version = state.runner.version
  let hit = state.rendered.lookup(key, a, version, now, code)
  if (!hit) {
    const holds = state.runner.validUntil(
      results.map((r) => r.name),
      now,
    )
    const shown = show(results, a.disclosure)
    const rendered =
      a.view === 'text'
        ? { version, code, type: TEXT_TYPE, body: renderText(label, shown, status, now) }
        : { version, code, type: JSON_TYPE, body: renderJson(meta, shown, status) }
    hit = state.rendered.store(key, a, rendered, now, holds)
  }
  sendRendered(reply, hit)
}

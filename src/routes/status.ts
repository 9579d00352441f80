import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import type { CheckResult } from '../engine/result.js'
import type { Disclosure } from './access.js'
import { show } from './render.js'
import type { Rendered } from './render-cache.js'
import { barOf, renderStatusPage, STATUS_CSP, type Row } from './status-page.js'
import { tokenOptional, unauthorized } from './schemas.js'

const HTML_TYPE = 'text/html; charset=utf-8'
// the script polls as often as the shortest-lived results change, within bounds a browser tab can afford
const MIN_REFRESH_MS = 2000
const MAX_REFRESH_MS = 60_000

// The status page for people: what is cached, never a probe, projected for the caller like /health.
export const statusRoutes: FastifyPluginAsync = async (app) => {
  const state = app.health
  const runner = state.runner
  const ttl = Math.min(...runner.definitions.map((d) => runner.ttlOf(d)))
  const refreshMs = Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, ttl))

  function render(disclosure: Disclosure, now: number): Rendered {
    const observed: CheckResult[] = []
    for (const def of runner.definitions) {
      const result = runner.view(def.name).result
      if (result) observed.push(result)
    }
    const shown = show(observed, disclosure)
    const byName = new Map(shown.results.map((r) => [r.name, r]))
    const rows: Row[] = runner.definitions.map((d) => ({
      name: d.name,
      tier: d.tier,
      result: byName.get(d.name),
      bar: barOf(state.history.of(d.name), now),
    }))
    const body = renderStatusPage({ meta: state.meta, shown, rows, now, refreshMs })
    const rendered = { version: runner.version, code: 200, type: HTML_TYPE, body }
    return state.rendered.store('status', { view: 'html', disclosure }, rendered, now, Infinity)
  }

  app.get(
    '/status',
    {
      config: { discloses: true },
      schema: {
        summary: 'A status page for people',
        description:
          'Every check grouped by tier with its status, reason, output, since when, time taken and last 24 hours (from the history, with its uptime), from the cached results: this page never starts a probe (a check not observed yet says so). It updates itself while open by polling /health, and shows what /health shows the same caller (HEALTH_DETAILS).',
        tags: ['people'],
        security: tokenOptional(),
        response: {
          200: {
            description: 'The page, whatever the status',
            content: { 'text/html': { schema: Type.String({ description: 'An HTML document' }) } },
          },
          401: unauthorized(),
        },
      },
    },
    (req, reply) => {
      const form = { view: 'html', disclosure: req.disclosure } as const
      const now = runner.clock.now()
      // the page changes with a new result (which bumps the version) or, for its ages, each second
      const page = state.rendered.lookup('status', form, runner.version, now) ?? render(form.disclosure, now)
      void reply
        .code(200)
        .header('content-type', page.type)
        .header('content-security-policy', STATUS_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(page.body)
    },
  )
}

import type { ReportMeta } from './report.js'
import type { FastifyBaseLogger } from 'fastify'
import type { CheckRunner } from './runner.js'

// A rendered answer, valid while the runner's version is unchanged and until validUntil (runner.validUntil of its
// checks: through a stale-while-revalidate window too; for the text view, at most the second it was rendered in).
export interface Rendered {
  version: number
  code: number
  type: string
  validUntil: number
  body: string
}

// Everything one app instance owns; nothing of it lives at module level.
export interface HealthState {
  runner: CheckRunner
  meta: ReportMeta
  shuttingDown: boolean
  rendered: Map<string, Rendered>
  criticalNames: readonly string[]
  allNames: readonly string[]
  // the service's own logger (status changes, errors); Fastify itself has none
  log: FastifyBaseLogger
}

declare module 'fastify' {
  interface FastifyInstance {
    health: HealthState
  }
}

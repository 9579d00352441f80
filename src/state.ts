import type { ReportMeta } from './report.js'
import type { CheckRunner } from './runner.js'

// A rendered JSON answer, valid while the runner's version is unchanged and until its first result expires.
export interface Rendered {
  version: number
  code: number
  validUntil: number
  body: Buffer
}

// Everything one app instance owns; nothing of it lives at module level.
export interface HealthState {
  runner: CheckRunner
  meta: ReportMeta
  shuttingDown: boolean
  rendered: Map<string, Rendered>
  criticalNames: readonly string[]
  allNames: readonly string[]
}

declare module 'fastify' {
  interface FastifyInstance {
    health: HealthState
  }
}

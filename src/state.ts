import type { OverallStatus, ReportMeta } from './report.js'
import type { CheckRunner } from './runner.js'

// Everything one app instance owns; nothing of it lives at module level.
export interface HealthState {
  runner: CheckRunner
  meta: ReportMeta
  shuttingDown: boolean
  rendered: Map<string, { version: number; status: OverallStatus; body: string }>
  criticalNames: readonly string[]
  allNames: readonly string[]
}

declare module 'fastify' {
  interface FastifyInstance {
    health: HealthState
  }
}

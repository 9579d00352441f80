import type { CheckDefinition, Observation } from '../checks/types.js'
import { Reason } from '../reasons.js'
import type { Failure } from './status.js'

export type ProbeOutcome = { obs: Observation } | { error: Failure }

// Where probes run: in the calling thread (InlineExecutor) or in a worker thread (WorkerExecutor).
export interface ProbeExecutor {
  run(def: CheckDefinition, timeoutMs: number): Promise<ProbeOutcome>
  close(): Promise<void>
}

// A check's first start() (an SDK import, client creation) may take this long before it counts as hung: it is the
// service's own start-up, not the dependency, so it never counts against the probe's timeout.
export const START_LIMIT_MS = 30_000

// The outcomes every executor answers in the same words.
export const timedOut = (ms: number): ProbeOutcome => ({
  error: { reason: Reason.TIMEOUT, message: `no answer within ${ms}ms; the probe was cancelled` },
})
export const startTimedOut = (ms: number): ProbeOutcome => ({
  error: {
    reason: Reason.INTERRUPTED,
    message: `the check's client did not start within ${ms}ms (the health service may be starved of CPU); the dependency was not probed`,
  },
})
// The thread that runs the probe was kept from it past the timeout: the dependency was not judged.
export const threadBusy = (ms: number): ProbeOutcome => ({
  error: {
    reason: Reason.INTERRUPTED,
    message: `the probe thread was busy past the ${ms}ms timeout (the health service may be starved of CPU); the dependency was not judged`,
  },
})
// Results that say nothing of the dependency are kept this long at most, so that it is judged again soon.
export const isServiceFault = (reason: string | undefined): boolean =>
  reason === Reason.INTERRUPTED || reason === Reason.INTERNAL
export const shuttingDown: ProbeOutcome = Object.freeze({
  error: Object.freeze({ reason: Reason.SHUTTING_DOWN, message: 'the health service is shutting down' }),
})

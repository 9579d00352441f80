import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.js'
import { classifyError } from './classify.js'
import { Reason, type ReasonCode } from './reasons.js'
import type { CheckContext, CheckDefinition, Observation, Probe } from './checks/types.js'

export type ProbeOutcome = { obs: Observation } | { error: { reason: ReasonCode; message: string; retryAfterMs?: number } }

// Where probes run: in the calling thread (Prober) or in a worker thread (WorkerProber, src/worker-prober.ts).
export interface ProbeExecutor {
  run(def: CheckDefinition, timeoutMs: number): Promise<ProbeOutcome>
  close(): Promise<void>
}

// The outcomes every executor answers in the same words.
export const timedOut = (ms: number): ProbeOutcome => ({ error: { reason: Reason.TIMEOUT, message: `no answer within ${ms}ms; the probe was cancelled` } })
export const shuttingDown: ProbeOutcome = Object.freeze({ error: Object.freeze({ reason: Reason.SHUTTING_DOWN, message: 'the health service is shutting down' }) })

interface State {
  probe?: Probe
  // the probe's start() while it runs (SDK import, client creation), shared by concurrent callers
  starting?: Promise<Probe>
}

function timeoutError(ms: number): Error {
  const err = new Error(`no answer within ${ms}ms; the probe was cancelled`)
  err.name = 'TimeoutError'
  return err
}

// Starts each check's probe once (its client, its SDK) and runs it with a timeout whose signal cancels the I/O.
export class Prober implements ProbeExecutor {
  private readonly states = new Map<string, State>()
  private readonly ctx: Omit<CheckContext, 'timeoutMs'>

  constructor(config: Config, log: FastifyBaseLogger, sanitize: (text: string) => string) {
    this.ctx = { config, log, sanitize }
  }

  async run(def: CheckDefinition, timeout: number): Promise<ProbeOutcome> {
    let state = this.states.get(def.name)
    if (!state) this.states.set(def.name, (state = {}))
    const s = state
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    try {
      // start() (an SDK import on first use) counts against the timeout, so the answer never comes later than it
      const run = (async () => {
        s.probe ??= await (s.starting ??= this.start(def, s, timeout))
        return s.probe.run(controller.signal)
      })()
      // the signal cancels the I/O; the race makes sure a probe that ignores it still cannot hold the answer
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = timeoutError(timeout)
          controller.abort(err)
          reject(err)
        }, timeout)
        timer.unref()
      })
      run.catch(() => undefined)
      const obs = await Promise.race([run, timedOut])
      return { obs }
    } catch (err) {
      if (controller.signal.aborted) return timedOut(timeout)
      const c = classifyError(err)
      if (c.reason === Reason.INTERNAL) this.ctx.log.error({ check: def.name, err: this.ctx.sanitize(String((err as Error)?.stack ?? err)) }, 'check threw an unexpected error')
      return { error: { ...c, message: this.ctx.sanitize(c.message) } }
    } finally {
      clearTimeout(timer)
    }
  }

  private start(def: CheckDefinition, s: State, timeoutMs: number): Promise<Probe> {
    return Promise.resolve()
      .then(() => def.start!({ ...this.ctx, timeoutMs }))
      .then(
        (probe) => (s.probe = probe),
        (err) => {
          // a start that failed is tried again by the next probe
          s.starting = undefined
          throw err
        },
      )
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.states.values()].map((s) => s.starting))
    await Promise.allSettled([...this.states.values()].map((s) => s.probe?.close?.()))
  }
}

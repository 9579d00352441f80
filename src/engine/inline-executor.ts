import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import { classifyError } from './classify.js'
import { systemClock, type Clock } from './clock.js'
import { Reason } from '../reasons.js'
import type { CheckContext, CheckDefinition, Probe } from '../checks/types.js'
import {
  START_LIMIT_MS,
  startTimedOut,
  threadBusy,
  timedOut,
  type ProbeExecutor,
  type ProbeOutcome,
} from './executor.js'

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

// How much longer a client's own timers run than the probe's timeout (CheckContext.clientTimeoutMs).
export const CLIENT_GRACE_MS = 1000

const LATE = Symbol('late')
const BUSY = Symbol('busy')
// a timer this much past its time was held back by the thread's own work, not only by the dependency
const HELD_MS = 5
// held this long, and for half the timeout, the thread could not have judged the dependency: more than a busy
// machine delays a timer, less than an SDK load on a starved CPU
const BUSY_MS = 250

// Resolves with the promise's value, or once `ms` pass (after calling onLate) with LATE, or with BUSY when this
// thread was kept from running for half of that time and BUSY_MS or more (a starved CPU, a long SDK load): then the
// timeout measured this service, not the dependency. A late timer first lets the answers already waiting be read.
function within<T>(p: Promise<T>, ms: number, onLate?: () => void): Promise<T | typeof LATE | typeof BUSY> {
  let timer: NodeJS.Timeout | undefined
  const due = performance.now() + ms
  const limit = new Promise<typeof LATE | typeof BUSY>((resolve) => {
    // settled before the probe is called off, so that the race answers this, not the probe's abort
    const end = () => {
      resolve(performance.now() - due >= Math.max(ms / 2, BUSY_MS) ? BUSY : LATE)
      onLate?.()
    }
    timer = setTimeout(() => (performance.now() - due > HELD_MS ? setImmediate(end) : end()), ms)
    timer.unref()
  })
  return Promise.race([p, limit]).finally(() => clearTimeout(timer))
}

export interface RunHooks {
  // the timed part begins: the check's client is started and the dependency is about to be asked
  onTimed?(): void
}

// Starts each check's probe once (its client, its SDK) and runs it with a timeout whose signal cancels the I/O.
export class InlineExecutor implements ProbeExecutor {
  private readonly states = new Map<string, State>()
  private readonly ctx: Omit<CheckContext, 'timeoutMs' | 'clientTimeoutMs'>
  private closed = false

  constructor(
    config: Config,
    log: FastifyBaseLogger,
    private readonly startLimitMs = START_LIMIT_MS,
    clock: Clock = systemClock,
  ) {
    this.ctx = { config, log, clock }
  }

  async run(def: CheckDefinition, timeoutMs: number, hooks: RunHooks = {}): Promise<ProbeOutcome> {
    let state = this.states.get(def.name)
    if (!state) this.states.set(def.name, (state = {}))
    const s = state
    try {
      if (!s.probe) {
        // the timeout measures the dependency: start-up (loading an SDK on a slow node) has its own, wider limit
        const started = await within((s.starting ??= this.start(def, s, timeoutMs)), this.startLimitMs)
        if (started === LATE || started === BUSY) return startTimedOut(this.startLimitMs)
      }
      hooks.onTimed?.()
      return await this.timed(def, s.probe!, timeoutMs)
    } catch (err) {
      return { error: this.failure(def, err) }
    }
  }

  private async timed(def: CheckDefinition, probe: Probe, timeoutMs: number): Promise<ProbeOutcome> {
    const controller = new AbortController()
    const due = performance.now() + timeoutMs
    const run = probe.run(controller.signal)
    // the signal cancels the I/O; the race makes sure a probe that ignores it still cannot hold the answer
    run.catch(() => undefined)
    try {
      const obs = await within(run, timeoutMs, () => controller.abort(timeoutError(timeoutMs)))
      if (obs === LATE) return timedOut(timeoutMs)
      if (obs === BUSY) return threadBusy(timeoutMs)
      return { obs }
    } catch (err) {
      if (controller.signal.aborted) return timedOut(timeoutMs)
      const failure = this.failure(def, err)
      // a client's own timer runs past ours: one that fired before ours could answer means this thread was held
      if (failure.reason === Reason.TIMEOUT && performance.now() >= due) return threadBusy(timeoutMs)
      return { error: failure }
    }
  }

  private failure(def: CheckDefinition, err: unknown) {
    const c = classifyError(err)
    if (c.reason === Reason.INTERNAL)
      this.ctx.log.error(
        { check: def.name, err: String((err as Error)?.stack ?? err) },
        'check threw an unexpected error',
      )
    return c
  }

  private start(def: CheckDefinition, s: State, timeoutMs: number): Promise<Probe> {
    return Promise.resolve()
      .then(() => def.start!({ ...this.ctx, timeoutMs, clientTimeoutMs: timeoutMs + CLIENT_GRACE_MS }))
      .then(
        (probe) => {
          // a start that finishes after close() must not leave its client open
          if (this.closed) void probe.close?.()
          return (s.probe = probe)
        },
        (err) => {
          // a start that failed is tried again by the next probe
          s.starting = undefined
          throw err
        },
      )
  }

  async close(): Promise<void> {
    this.closed = true
    // a hung start() must not hold the shutdown: it closes its own client if it ever finishes
    await Promise.allSettled([...this.states.values()].map((s) => s.starting && within(s.starting, this.startLimitMs)))
    await Promise.allSettled([...this.states.values()].map((s) => s.probe?.close?.()))
  }
}

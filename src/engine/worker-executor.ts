import { Worker } from 'node:worker_threads'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { CheckDefinition } from '../checks/types.js'
import {
  START_LIMIT_MS,
  shuttingDown,
  startTimedOut,
  timedOut,
  type ProbeExecutor,
  type ProbeOutcome,
} from './executor.js'
import { Reason } from '../reasons.js'

export type WorkerRequest = { type: 'run'; id: number; name: string; timeoutMs: number } | { type: 'close' }
export type WorkerReply =
  // the probe's timed part began in the thread (its client is started): the timeout runs from here
  | { type: 'timed'; id: number }
  | { type: 'outcome'; id: number; outcome: ProbeOutcome }
  | {
      type: 'log'
      level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
      obj: Record<string, unknown>
      msg?: string
    }

// What the thread is given to start with.
export interface WorkerData {
  config: Config
  startLimitMs: number
}

// The worker answers within each probe's own timeout. The main thread answers TIMEOUT itself a little after it, and
// past GRACE_MS more it takes the thread to be wedged. Both count from the moment the thread starts the timed part,
// so loading the thread and a check's SDK on a slow node is never mistaken for a slow dependency.
const LATE_MS = 20
const GRACE_MS = 1000

// A small young generation (V8 lets a thread's grow to 16 MB semi-spaces) keeps the probe thread's heap near what it
// holds; a bounded old one ends a leaking thread, which the next probe replaces, instead of the whole process.
export const PROBE_THREAD_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 } as const

// Runs probes in a worker thread, started on the first probe (so never before the server listens). `entry` is the
// module the thread runs (it knows the checks by name). A worker that dies or wedges fails the probes it held, and
// the next probe starts a new one.
export class WorkerExecutor implements ProbeExecutor {
  private worker?: Worker
  private next = 1
  private readonly pending = new Map<number, { timed(): void; done(o: ProbeOutcome): void }>()
  private closing?: Promise<void>
  private spawned = 0
  // threads started in place of one that wedged or exited: what /metrics reports
  restarts = 0

  constructor(
    private readonly entry: URL,
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
    private readonly startLimitMs = START_LIMIT_MS,
  ) {}

  run(def: CheckDefinition, timeoutMs: number): Promise<ProbeOutcome> {
    if (this.closing) return Promise.resolve(shuttingDown)
    const worker = (this.worker ??= this.spawn())
    const id = this.next++
    return new Promise<ProbeOutcome>((resolve) => {
      let answered = false
      const timers: NodeJS.Timeout[] = []
      const arm = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms).unref())
      const answer = (o: ProbeOutcome) => {
        if (answered) return
        answered = true
        resolve(o)
      }
      const wedged = () => {
        this.pending.delete(id)
        if (this.worker === worker) this.stop(worker)
      }
      // until the thread says the timed part began, only start-up can hold it: that has its own, wider limit
      arm(this.startLimitMs + GRACE_MS, () => {
        answer(startTimedOut(this.startLimitMs))
        wedged()
      })
      this.pending.set(id, {
        timed: () => {
          timers.forEach(clearTimeout)
          timers.length = 0
          // the worker keeps the timeout itself; this answers on time even while the thread is busy
          arm(timeoutMs + LATE_MS, () => answer(timedOut(timeoutMs)))
          // a thread that has not answered long after the timeout it keeps itself is wedged: it is replaced
          arm(timeoutMs + GRACE_MS, wedged)
        },
        done: (o) => {
          timers.forEach(clearTimeout)
          answer(o)
        },
      })
      worker.postMessage({ type: 'run', id, name: def.name, timeoutMs } satisfies WorkerRequest)
    })
  }

  private spawn(): Worker {
    if (this.spawned++ > 0) this.restarts++
    const workerData: WorkerData = { config: this.config, startLimitMs: this.startLimitMs }
    const resourceLimits = PROBE_THREAD_LIMITS
    // the compiled service (dist/) starts the compiled entry; run from the TypeScript sources (the tests, under
    // tsx), the worker loads the source through tsx, whose loader a worker thread does not inherit
    const worker = this.entry.href.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(this.entry.href)}, ${JSON.stringify(import.meta.url)}))`,
          { eval: true, workerData, resourceLimits },
        )
      : new Worker(this.entry, { workerData, resourceLimits })
    // idle probes must not keep the process alive
    worker.unref()
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'timed') {
        this.pending.get(m.id)?.timed()
      } else if (m.type === 'outcome') {
        const p = this.pending.get(m.id)
        this.pending.delete(m.id)
        p?.done(m.outcome)
      } else if (m.type === 'log') {
        this.log[m.level](m.obj, m.msg)
      }
    })
    let failure = ''
    // a thread can throw anything, not only an Error
    worker.on('error', (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err)
      failure = `: ${message}`
      this.log.error({ err: message }, 'the probe thread failed; the next probe starts a new one')
    })
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined
      this.failPending(`the probe thread stopped${failure}`)
    })
    return worker
  }

  private stop(worker: Worker): void {
    this.worker = undefined
    void worker.terminate()
  }

  private failPending(message: string): void {
    for (const p of this.pending.values()) p.done({ error: { reason: Reason.INTERNAL, message } })
    this.pending.clear()
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const worker = this.worker
      if (!worker) return
      // the worker closes its clients, then its port; terminate only if it does not within the grace period
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
      worker.postMessage({ type: 'close' } satisfies WorkerRequest)
      const limit = setTimeout(() => void worker.terminate(), GRACE_MS * 5)
      await exited
      clearTimeout(limit)
    })()
    return this.closing
  }
}

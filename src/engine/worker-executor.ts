import { Worker } from 'node:worker_threads'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { CheckDefinition } from '../checks/types.js'
import {
  START_LIMIT_MS,
  shuttingDown,
  startTimedOut,
  threadBusy,
  type ProbeExecutor,
  type ProbeOutcome,
} from './executor.js'
import { Reason } from '../reasons.js'

export type WorkerRequest =
  { type: 'run'; id: number; name: string; timeoutMs: number } | { type: 'ping'; id: number } | { type: 'close' }
export type WorkerReply =
  // the probe's timed part began in the thread (its client is started): the timeout runs from here
  | { type: 'timed'; id: number }
  | { type: 'outcome'; id: number; outcome: ProbeOutcome }
  // the thread's event loop turns: it is busy, not wedged
  | { type: 'pong'; id: number }
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

// The worker answers within each probe's own timeout. Past it by LATE_MS (a quarter of a second, beyond what a busy
// machine delays a timer) the main thread answers for a thread that has not: it was kept from the probe
// (INTERRUPTED), which is no verdict on the dependency. Both count from the
// moment the thread starts the timed part, so loading a check's SDK on a slow node is never taken for a slow
// dependency. A thread that then does not answer a ping for WEDGED_MS is wedged and replaced; a busy one is kept.
const LATE_MS = 250
const GRACE_MS = 1000
export const WEDGED_MS = 10_000
// How many threads a probe may lose before it is answered INTERRUPTED: the others in flight when one thread is
// replaced run again in the next.
const ATTEMPTS = 2

// A small young generation (V8 lets a thread's grow to 16 MB semi-spaces) keeps the probe thread's heap near what it
// holds; a bounded old one ends a leaking thread, which the next probe replaces, instead of the whole process.
export const PROBE_THREAD_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 } as const

interface Job {
  def: CheckDefinition
  timeoutMs: number
  attempts: number
  worker?: Worker
  timers: NodeJS.Timeout[]
  answer(o: ProbeOutcome): void
}

// Runs probes in a worker thread, started on the first probe (so never before the server listens). `entry` is the
// module the thread runs (it knows the checks by name). A probe the thread is kept from past its timeout is
// answered INTERRUPTED; a thread that stops answering pings is replaced, and the probes it held run again.
export class WorkerExecutor implements ProbeExecutor {
  private worker?: Worker
  private next = 1
  private readonly pending = new Map<number, Job>()
  // threads that were sent a ping and not yet answered it, with the timer that replaces them
  private readonly suspects = new Map<Worker, NodeJS.Timeout>()
  private closing?: Promise<void>
  private spawned = 0
  // threads started in place of one that wedged or exited: what /metrics reports
  restarts = 0

  constructor(
    private readonly entry: URL,
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
    private readonly startLimitMs = START_LIMIT_MS,
    private readonly wedgedMs = WEDGED_MS,
  ) {}

  run(def: CheckDefinition, timeoutMs: number): Promise<ProbeOutcome> {
    if (this.closing) return Promise.resolve(shuttingDown)
    return new Promise<ProbeOutcome>((resolve) => {
      let answered = false
      const job: Job = {
        def,
        timeoutMs,
        attempts: 0,
        timers: [],
        answer: (o) => {
          if (answered) return
          answered = true
          clear(job)
          resolve(o)
        },
      }
      this.dispatch(job)
    })
  }

  private dispatch(job: Job): void {
    const worker = (this.worker ??= this.spawn())
    const id = this.next++
    job.attempts++
    job.worker = worker
    clear(job)
    this.pending.set(id, job)
    // until the thread says the timed part began, only start-up can hold it: that has its own, wider limit
    arm(job, this.startLimitMs + GRACE_MS, () => this.late(id, job, startTimedOut(this.startLimitMs)))
    worker.postMessage({ type: 'run', id, name: job.def.name, timeoutMs: job.timeoutMs } satisfies WorkerRequest)
  }

  // The thread has not answered in time: this probe alone is answered, and the thread is asked whether it still runs.
  private late(id: number, job: Job, outcome: ProbeOutcome): void {
    // a main thread that was itself kept from its timers reads the messages already there first
    setImmediate(() => {
      if (this.pending.get(id) !== job) return
      this.pending.delete(id)
      job.answer(outcome)
      if (job.worker) this.suspect(job.worker)
    })
  }

  private suspect(worker: Worker): void {
    if (this.suspects.has(worker) || this.worker !== worker) return
    this.suspects.set(
      worker,
      setTimeout(() => {
        this.suspects.delete(worker)
        this.log.warn({ wedgedMs: this.wedgedMs }, 'the probe thread answers nothing: replacing it')
        if (this.worker === worker) this.stop(worker)
      }, this.wedgedMs).unref(),
    )
    worker.postMessage({ type: 'ping', id: 0 } satisfies WorkerRequest)
  }

  private timed(id: number): void {
    const job = this.pending.get(id)
    if (!job) return
    clear(job)
    // the worker keeps the timeout itself; this answers on time even while the thread is busy
    arm(job, job.timeoutMs + LATE_MS, () => this.late(id, job, threadBusy(job.timeoutMs)))
  }

  // What a lost thread held: each probe runs again in the next thread, once; then it is answered.
  private orphaned(worker: Worker, why: string): void {
    const timer = this.suspects.get(worker)
    if (timer) clearTimeout(timer)
    this.suspects.delete(worker)
    for (const [id, job] of [...this.pending]) {
      if (job.worker !== worker) continue
      this.pending.delete(id)
      if (job.attempts < ATTEMPTS && !this.closing) this.dispatch(job)
      else
        job.answer(
          this.closing
            ? shuttingDown
            : { error: { reason: Reason.INTERRUPTED, message: `${why}; the dependency was not judged` } },
        )
    }
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
        this.timed(m.id)
      } else if (m.type === 'outcome') {
        const job = this.pending.get(m.id)
        this.pending.delete(m.id)
        job?.answer(m.outcome)
      } else if (m.type === 'pong') {
        const timer = this.suspects.get(worker)
        if (timer) clearTimeout(timer)
        this.suspects.delete(worker)
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
      this.orphaned(worker, `the probe thread stopped twice while probing${failure}`)
    })
    return worker
  }

  private stop(worker: Worker): void {
    this.worker = undefined
    void worker.terminate()
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

function arm(job: Job, ms: number, fn: () => void): void {
  job.timers.push(setTimeout(fn, ms).unref())
}

function clear(job: Job): void {
  job.timers.forEach(clearTimeout)
  job.timers.length = 0
}

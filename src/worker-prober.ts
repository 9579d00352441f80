import { Worker } from 'node:worker_threads'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.js'
import type { CheckDefinition } from './checks/types.js'
import { shuttingDown, timedOut, type ProbeExecutor, type ProbeOutcome } from './prober.js'
import { Reason } from './reasons.js'

export type WorkerRequest = { type: 'run'; id: number; name: string; timeoutMs: number } | { type: 'close' }
export type WorkerReply =
  | { type: 'outcome'; id: number; outcome: ProbeOutcome }
  | { type: 'log'; level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'; obj: Record<string, unknown>; msg?: string }

// The worker answers within each probe's own timeout. The main thread answers TIMEOUT itself a little after it (the
// first probe also waits for the thread to start), and past GRACE_MS more it takes the thread to be wedged.
const LATE_MS = 20
const GRACE_MS = 1000

// Runs the catalogue's probes in a worker thread, started on the first probe (so never before the server listens).
// A worker that dies or wedges fails the probes it held, and the next probe starts a new one.
export class WorkerProber implements ProbeExecutor {
  private worker?: Worker
  private next = 1
  private readonly pending = new Map<number, (o: ProbeOutcome) => void>()
  private closing?: Promise<void>

  constructor(
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
  ) {}

  run(def: CheckDefinition, timeoutMs: number): Promise<ProbeOutcome> {
    if (this.closing) return Promise.resolve(shuttingDown)
    const worker = (this.worker ??= this.spawn())
    const id = this.next++
    return new Promise<ProbeOutcome>((resolve) => {
      let answered = false
      const answer = (o: ProbeOutcome) => {
        if (!answered) (answered = true), resolve(o)
      }
      // the worker keeps the timeout itself; this answers on time even while the thread starts or is busy
      const late = setTimeout(() => answer(timedOut(timeoutMs)), timeoutMs + LATE_MS)
      // a thread that has not answered long after the timeout it keeps itself is wedged: it is replaced
      const wedged = setTimeout(() => {
        this.pending.delete(id)
        if (this.worker === worker) this.stop(worker)
      }, timeoutMs + GRACE_MS)
      late.unref()
      wedged.unref()
      this.pending.set(id, (o) => {
        clearTimeout(late)
        clearTimeout(wedged)
        answer(o)
      })
      worker.postMessage({ type: 'run', id, name: def.name, timeoutMs } satisfies WorkerRequest)
    })
  }

  private spawn(): Worker {
    const workerData = { config: this.config }
    // the compiled service (dist/) starts the compiled worker; run from the TypeScript sources (the tests, under
    // tsx), the worker loads the source through tsx, whose loader a worker thread does not inherit
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(new URL('./probe-worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData })
      : new Worker(new URL('./probe-worker.js', import.meta.url), { workerData })
    // idle probes must not keep the process alive
    worker.unref()
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'outcome') {
        const done = this.pending.get(m.id)
        this.pending.delete(m.id)
        done?.(m.outcome)
      } else if (m.type === 'log') {
        this.log[m.level](m.obj, m.msg)
      }
    })
    let failure = ''
    worker.on('error', (err) => {
      failure = `: ${err.message}`
      this.log.error({ err: err.message }, 'the probe thread failed; the next probe starts a new one')
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
    for (const done of this.pending.values()) done({ error: { reason: Reason.INTERNAL, message } })
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

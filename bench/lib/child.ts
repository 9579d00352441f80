import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { productionCommand } from './production.js'

// BENCH_PIN=1 pins targets to core 0 and the load generator to core 1. Off by default: on the 2-core machine it
// left PostgreSQL, Redis and the service's first-probe SDK loading to one core and made the timeouts late.
export const pinning =
  process.env.BENCH_PIN === '1' && availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0

export function pin(pid: number, core: number): void {
  if (pinning) spawnSync('taskset', ['-cp', String(core), String(pid)], { stdio: 'ignore' })
}
import { openSync, closeSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'

export interface Child {
  url: string
  pid: number
  call<T = unknown>(cmd: string, arg?: unknown): Promise<T>
  // asks the child to close its app and exit; resolves with the exit code
  close(): Promise<number | null>
}

interface Msg {
  type: 'ready' | 'reply'
  url?: string
  id?: number
  data?: unknown
  error?: string
}

// Starts a bench target (a TypeScript file run through tsx) in its own process; it answers over IPC.
export function startChild(
  script: string,
  opts: { env: Record<string, string>; nodeArgs?: string[]; logFile: string; readyWithinMs?: number },
): Promise<Child> {
  const log = openSync(opts.logFile, 'a')
  const proc: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', log, log, 'ipc'],
  })
  closeSync(log)
  if (proc.pid) pin(proc.pid, 0)
  let next = 1
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
  void exited.then((code) => {
    for (const w of waiting.values()) w.reject(new Error(`${script} exited (${code}); see ${opts.logFile}`))
    waiting.clear()
  })
  proc.on('message', (m: Msg) => {
    if (m.type !== 'reply' || m.id === undefined) return
    const w = waiting.get(m.id)
    waiting.delete(m.id)
    if (m.error) w?.reject(new Error(m.error))
    else w?.resolve(m.data)
  })
  return new Promise((resolve, reject) => {
    const limit = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`${script} not ready within ${opts.readyWithinMs ?? 30_000}ms; see ${opts.logFile}`))
    }, opts.readyWithinMs ?? 30_000)
    void exited.then((code) => {
      clearTimeout(limit)
      reject(new Error(`${script} exited (${code}) before it was ready; see ${opts.logFile}`))
    })
    proc.on('message', (m: Msg) => {
      if (m.type !== 'ready' || !m.url) return
      clearTimeout(limit)
      const call = <T>(cmd: string, arg?: unknown) =>
        new Promise<T>((res, rej) => {
          const id = next++
          waiting.set(id, { resolve: res as (v: unknown) => void, reject: rej })
          proc.send({ type: 'cmd', id, cmd, arg })
        })
      resolve({
        url: m.url,
        pid: proc.pid!,
        call,
        close: async () => {
          if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode
          await call('close').catch(() => undefined)
          return exited
        },
      })
    })
  })
}

// The child side: announce the URL, then answer commands until told to close.
export function serveIpc(url: string, handlers: Record<string, (arg: unknown) => unknown>): void {
  const answer = async (m: { type: string; id: number; cmd: string; arg?: unknown }) => {
    if (m.type !== 'cmd') return
    const h = handlers[m.cmd]
    try {
      if (!h) throw new Error(`unknown command ${m.cmd}`)
      const data = await h(m.arg)
      process.send!({ type: 'reply', id: m.id, data })
    } catch (err) {
      process.send!({ type: 'reply', id: m.id, error: (err as Error).message })
    }
    // exit after the reply is flushed, so a --cpu-prof profile is written on the way out
    if (m.cmd === 'close') process.disconnect()
  }
  process.on('message', (m: { type: string; id: number; cmd: string; arg?: unknown }) => void answer(m))
  process.on('disconnect', () => process.exit(0))
  process.send!({ type: 'ready', url })
}

// The V8 CPU profiler (what --cpu-prof runs) over a window the bench chooses: start-up and warm-up excluded.
export function profilerHandlers(): Record<string, (arg: unknown) => unknown> {
  let session: Session | undefined
  return {
    'profile-start': async () => {
      session = new Session()
      session.connect()
      await session.post('Profiler.enable')
      await session.post('Profiler.setSamplingInterval', { interval: 200 })
      await session.post('Profiler.start')
      return true
    },
    'profile-stop': async (path) => {
      const { profile } = await session!.post('Profiler.stop')
      writeFileSync(path as string, JSON.stringify(profile))
      session!.disconnect()
      return true
    },
  }
}

// The service target with the flags the image's CMD gives node (and `nodeArgs` after them), so the request path is
// measured as the image runs it; the ceilings run on a plain node, so a flag's cost shows in the ratios. The image's
// ENV is left out: the target takes its settings from BENCH_SERVICE_ENV.
export function startServiceTarget(
  root: string,
  script: string,
  opts: { env: Record<string, string>; nodeArgs?: string[]; logFile: string; readyWithinMs?: number },
): Promise<Child> {
  const production = productionCommand(root)
  return startChild(script, { ...opts, nodeArgs: [...production.nodeArgs, ...(opts.nodeArgs ?? [])] })
}

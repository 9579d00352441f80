import type { Test } from 'tap'
import { CheckRunner } from '../../src/engine/runner.js'
import type { CheckResult } from '../../src/engine/result.js'
import { createLogger } from '../../src/logger.js'
import { createSanitizer } from '../../src/sanitize.js'
import type { CheckDefinition, Observation } from '../../src/checks/types.js'
import type { Clock } from '../../src/engine/clock.js'
import { captureLogs, testConfig, type Captured } from './helpers.js'

// Resolves after ms unless aborted; the timer is cleared on abort so nothing outlives the probe.
export function delay(ms: number, signal: AbortSignal, obs: Observation = {}): Promise<Observation> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(obs), ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason as Error)
      },
      { once: true },
    )
  })
}

export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

// Yields to the event loop until cond holds; bounded, and fails the test when it never does.
export async function settle(t: Test, cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 50 && !cond(); i++) await new Promise((r) => setImmediate(r))
  t.ok(cond(), what)
}

export function runnerWith(
  t: Test,
  defs: CheckDefinition[],
  env: Record<string, string> = {},
  opts: { clock?: Clock } = {},
): { runner: CheckRunner; logs: Captured } {
  const logs = captureLogs()
  const config = testConfig(env)
  const scrub = createSanitizer(config.secrets)
  const runner = new CheckRunner(defs, config, createLogger('debug', scrub, logs.stream), { scrub, clock: opts.clock })
  t.teardown(() => runner.close())
  return { runner, logs }
}

export const logLines = (logs: Captured) => logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>)

// The lines logged at error level or worse: a dependency's fault is its result, never one of these.
export const errorLines = (logs: Captured) => logLines(logs).filter((l) => (l.level as number) >= 50)

export async function one(runner: CheckRunner, name: string, opts: { fresh?: boolean } = {}): Promise<CheckResult> {
  // the runner's timers are unref'd and a synthetic probe holds no socket: keep the process alive meanwhile
  const keepAlive = setInterval(() => undefined, 1000)
  try {
    return await runner.get(name, opts)
  } finally {
    clearInterval(keepAlive)
  }
}

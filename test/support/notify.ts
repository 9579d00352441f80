import type { Test } from 'tap'
import type { StatusChange } from '../../src/engine/result.js'
import type { CheckStatus } from '../../src/engine/status.js'
import { createLogger } from '../../src/logger.js'
import { Notifier, type Sleep } from '../../src/notify/notifier.js'
import { createSanitizer } from '../../src/sanitize.js'
import { EPOCH_MS } from './clock.js'
import { captureLogs, testConfig, type Captured } from './helpers.js'

// The notifier's waits, answered at the next turn of the event loop instead of after seconds; `waits` is what was asked.
export function instantSleep(): { sleep: Sleep; waits: number[] } {
  const waits: number[] = []
  const sleep: Sleep = (ms, signal) => {
    waits.push(ms)
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Error('stopped'))
      setImmediate(resolve)
    })
  }
  return { sleep, waits }
}

// A change of a check's reported status, as the runner hands it to its listeners.
export function change(
  name: string,
  from: CheckStatus | null,
  to: CheckStatus,
  extra: Partial<StatusChange> = {},
): StatusChange {
  return { name, tier: 'critical', from, to, since: EPOCH_MS, at: EPOCH_MS, ...extra }
}

// A notifier of these webhook URLs on its own, logging through the service's logger; closed when the test ends.
// `sleep` null: the real waits.
export function notifierFor(
  t: Test,
  urls: readonly string[],
  env: Record<string, string> = {},
  sleep: Sleep | null = instantSleep().sleep,
): { notifier: Notifier; logs: Captured } {
  const logs = captureLogs()
  const config = testConfig({ HEALTH_NOTIFY_URLS: urls.join(','), ...env })
  const notifier = new Notifier(config, createLogger('debug', createSanitizer(config.secrets), logs.stream), {
    sleep: sleep ?? undefined,
  })
  t.teardown(() => notifier.close())
  return { notifier, logs }
}

import type { ProbeExecutor, ProbeOutcome } from '../engine/executor.js'

export const NOT_PROBED = 'offline: settings only, not probed'

// Nothing was asked over the network: the judge reads it as a live check that proved nothing (liveCheck false).
const notProbed: ProbeOutcome = Object.freeze({ obs: Object.freeze({ formatOnly: true, output: NOT_PROBED }) })

// Answers every probe without starting the check's client: `check --offline` judges the settings alone.
export class OfflineExecutor implements ProbeExecutor {
  async run(): Promise<ProbeOutcome> {
    return notProbed
  }

  async close(): Promise<void> {}
}

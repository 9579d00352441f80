import type { CheckDefinition, Observation } from '../../src/checks/types.js'

export interface Stats {
  started: number
  runs: number
  closed: number
  signals: AbortSignal[]
}

export type Run = (signal: AbortSignal, n: number) => Promise<Observation>

// A check whose probe is the given function; counts starts, runs and closes.
export function synthetic(name: string, run: Run, extra: Partial<CheckDefinition> = {}): { def: CheckDefinition; stats: Stats } {
  const stats: Stats = { started: 0, runs: 0, closed: 0, signals: [] }
  const def: CheckDefinition = {
    name,
    tier: 'critical',
    componentType: 'component',
    description: 'synthetic check',
    settings: [],
    kind: 'live',
    ...extra,
    start: () => {
      stats.started++
      return {
        run: (signal) => {
          stats.runs++
          stats.signals.push(signal)
          return run(signal, stats.runs)
        },
        close: async () => {
          stats.closed++
        },
      }
    },
  }
  return { def, stats }
}


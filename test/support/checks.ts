import type { CheckDefinition, Observation } from '../../src/checks/types.js'

export interface Stats {
  started: number
  runs: number
  closed: number
  signals: AbortSignal[]
}

export type Run = (signal: AbortSignal, n: number) => Promise<Observation>

// The one builder of checks made in tests: a check whose probe is the given function, counting starts, runs and
// closes. Without one, the check has no probe (a format-only check) or the start() that extra gives. A closure, so it
// always runs inline.
export function synthetic(
  name: string,
  run: Run | undefined,
  extra: Partial<CheckDefinition> = {},
): { def: CheckDefinition; stats: Stats } {
  const stats: Stats = { started: 0, runs: 0, closed: 0, signals: [] }
  const def: CheckDefinition = {
    name,
    tier: 'critical',
    componentType: 'component',
    description: 'synthetic check',
    settings: [],
    live: true,
    cache: 'infrastructure',
    ...extra,
  }
  if (!run) return { def, stats }
  def.start = () => {
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
  }
  return { def, stats }
}

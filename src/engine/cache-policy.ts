// The cache rules, in one place: what to answer now, whether to start a refresh, and until when an answer holds.
// The runner and the render cache both ask this module, so they cannot disagree.

export interface CacheRules {
  // a fresh probe (?fresh) never runs more often than this per check
  minProbeIntervalMs: number
  // how long past its lifetime a result may be served while one refresh runs
  maxStaleMs: number
}

export interface CachedState {
  result?: { observedAt: number; expiresAt: number }
  // no probe before this (a provider's Retry-After)
  notBefore: number
  // a refresh is already running
  refreshing: boolean
}

export type Decision =
  // answer the cached result; it holds until `until`
  | { answer: 'cached'; until: number }
  // answer the stale result and start one refresh if none runs; it may be served until `until`
  | { answer: 'stale'; until: number }
  // nothing usable: wait for a probe
  | { answer: 'probe' }

const PROBE: Decision = Object.freeze({ answer: 'probe' })

export function decide(state: CachedState, now: number, rules: CacheRules, fresh = false): Decision {
  const r = state.result
  if (!r) return PROBE
  if (fresh && now - r.observedAt >= rules.minProbeIntervalMs && now >= state.notBefore) return PROBE
  if (now < r.expiresAt || now < state.notBefore) return { answer: 'cached', until: Math.max(r.expiresAt, state.notBefore) }
  if (now - r.expiresAt <= rules.maxStaleMs) return { answer: 'stale', until: r.expiresAt + rules.maxStaleMs + 1 }
  return PROBE
}

// Until when a plain (not fresh) answer for this check stays what it is now, short of a new result: a stale answer
// holds only while its refresh runs, since the next request would otherwise start one.
export function holdsUntil(state: CachedState, now: number, rules: CacheRules): number {
  const d = decide(state, now, rules)
  if (d.answer === 'cached') return d.until
  if (d.answer === 'stale' && state.refreshing) return d.until
  return now
}

import type { CheckStatus } from './status.js'
import { statusRank } from './status.js'

// How many consecutive probes must agree before a check's reported status moves: to a worse one, and to a better one.
export interface Thresholds {
  failAfter: number
  recoverAfter: number
}

// Where a check stands: its reported (damped) status and since when, and the run of probes that observed the same.
export interface Standing {
  status: CheckStatus
  // when the reported status began: the first probe of the run that moved it
  since: number
  // the last probe's own status, and how many consecutive probes observed it, from when
  observed: CheckStatus
  streak: number
  streakSince: number
}

// The next standing after a probe observed `observed` at `at`. The first probe sets the status at once: there is
// nothing to damp yet.
export function advance(prev: Standing | undefined, observed: CheckStatus, at: number, t: Thresholds): Standing {
  if (!prev) return { status: observed, since: at, observed, streak: 1, streakSince: at }
  const continues = prev.observed === observed
  const streak = continues ? prev.streak + 1 : 1
  const streakSince = continues ? prev.streakSince : at
  if (observed === prev.status) return { status: prev.status, since: prev.since, observed, streak, streakSince }
  const needed = statusRank[observed] > statusRank[prev.status] ? t.failAfter : t.recoverAfter
  if (streak >= needed) return { status: observed, since: streakSince, observed, streak, streakSince }
  return { status: prev.status, since: prev.since, observed, streak, streakSince }
}

// HEALTH_DAMPING: per-check thresholds, `name=failAfter/recoverAfter` separated by commas. Returns the problems
// (one line each) or the map.
export function parseDamping(raw: string): Map<string, Thresholds> | string[] {
  const out = new Map<string, Thresholds>()
  const problems: string[] = []
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z0-9-]+)=(\d{1,3})\/(\d{1,3})$/.exec(item)
    if (!m) {
      problems.push(`"${item}" is not name=failAfter/recoverAfter (for instance stripe=3/2)`)
      continue
    }
    const [, name, fail, recover] = m
    const t = { failAfter: Number(fail), recoverAfter: Number(recover) }
    if (t.failAfter < 1 || t.recoverAfter < 1 || t.failAfter > MAX_THRESHOLD || t.recoverAfter > MAX_THRESHOLD)
      problems.push(`"${item}": each threshold is a whole number from 1 to ${MAX_THRESHOLD}`)
    else if (out.has(name)) problems.push(`${name} is given twice`)
    else out.set(name, t)
  }
  return problems.length > 0 ? problems : out
}

// more consecutive probes than this would hide an outage for hours at third-party cache lifetimes
export const MAX_THRESHOLD = 100

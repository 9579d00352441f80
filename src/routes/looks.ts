import type { CheckStatus } from '../engine/status.js'

// How a status shows to people, on the status page and on badges: a word and an icon besides a colour, so that
// colour is never the only sign. White text on each colour has a contrast of at least 4.5:1 (WCAG AA).
export interface Look {
  word: string
  icon: string
  colour: string
}

// 'unobserved': a check the page lists that has no result yet
export type Looked = CheckStatus | 'unobserved'

export const looks: Readonly<Record<Looked, Look>> = {
  pass: { word: 'passing', icon: '✓', colour: '#146c2e' },
  warn: { word: 'warning', icon: '!', colour: '#8a4b00' },
  fail: { word: 'failing', icon: '✕', colour: '#b3261e' },
  skipped: { word: 'skipped', icon: '–', colour: '#5f6368' },
  unobserved: { word: 'not observed yet', icon: '…', colour: '#5f6368' },
}

// Edits between two names, a swap of two neighbours counting as one (optimal string alignment distance).
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  return d[a.length][b.length]
}

// The known name a typo most likely meant, ignoring case; none when no name is close enough to be a typo of it.
export function closest(name: string, known: readonly string[]): string | undefined {
  const upper = name.toUpperCase()
  // short names are near many others: one edit only, below 8 characters
  const limit = upper.length >= 8 ? 2 : 1
  let best: { name: string; distance: number } | undefined
  for (const candidate of known) {
    const distance = editDistance(upper, candidate)
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance }
  }
  return best?.name
}

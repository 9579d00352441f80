export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

// Nearest-rank percentile of an unsorted sample; sorts a copy.
export function percentile(xs: ArrayLike<number>, p: number, length = xs.length): number {
  if (length === 0) return NaN
  const s = Float64Array.from({ length }, (_, i) => xs[i]).sort()
  const rank = Math.min(length - 1, Math.max(0, Math.ceil((p / 100) * length) - 1))
  return s[rank]
}

export const round = (x: number, digits = 2): number =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x

export const fmt = (x: number, digits = 2): string =>
  Number.isFinite(x) ? round(x, digits).toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a'

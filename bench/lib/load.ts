import autocannon from 'autocannon'
import { percentile } from './stats.js'

export interface LoadOptions {
  connections: number
  // seconds; ignored when amount is set
  seconds?: number
  // total requests; bounded by maxSeconds
  amount?: number
  maxSeconds?: number
  // paths cycled in order by every connection; default the URL's own path
  paths?: string[]
  // requests a second over all connections; default as fast as the service answers
  rate?: number
}

export interface LoadResult {
  requests: number
  seconds: number
  rps: number
  // milliseconds, from every response (autocannon's own histogram keeps whole milliseconds only)
  p50: number
  p99: number
  errors: number
  timeouts: number
  statuses: Record<string, number>
  // true when maxSeconds stopped an amount-bounded run early
  cut: boolean
}

// autocannon against one URL, bounded by duration or by count and a time cap.
export function load(url: string, opts: LoadOptions): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16)
  let n = 0
  const statuses: Record<string, number> = {}
  let cut = false
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: opts.connections,
        ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? 3 }),
        ...(opts.paths ? { requests: opts.paths.map((path) => ({ path, method: 'GET' as const })) } : {}),
        timeout: 10,
        ...(opts.rate ? { overallRate: opts.rate } : {}),
      },
      (err, result) => {
        clearTimeout(cap)
        if (err) return reject(err instanceof Error ? err : new Error(String(err)))
        const seconds = result.duration
        resolve({
          requests: n,
          seconds,
          rps: n / seconds,
          p50: percentile(latencies, 50, n),
          p99: percentile(latencies, 99, n),
          errors: result.errors,
          timeouts: result.timeouts,
          statuses,
          cut,
        })
      },
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (n === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2)
        bigger.set(latencies)
        latencies = bigger
      }
      latencies[n++] = responseTime
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
    })
    const cap = setTimeout(
      () => {
        cut = true
        instance.stop()
      },
      (opts.maxSeconds ?? (opts.seconds ?? 3) + 30) * 1000,
    )
  })
}

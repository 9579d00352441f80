import { request } from 'node:http'

export interface Answer {
  status: number
  headers: Record<string, string>
  body: string
  ms: number
}

// One request on a fresh connection; node:http rather than fetch so the timing carries no lazy client start-up.
export function get(url: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<Answer> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const out: Record<string, string> = {}
        for (let i = 0; i < res.rawHeaders.length; i += 2) out[res.rawHeaders[i].toLowerCase()] = res.rawHeaders[i + 1]
        resolve({
          status: res.statusCode ?? 0,
          headers: out,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        })
      })
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs}ms`)))
    req.on('error', reject)
    req.end()
  })
}

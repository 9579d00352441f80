import { json, startFake, type Fake } from './http.js'

export type SentryMode = 'ok' | 'ratelimit' | 'error' | 'hang'

// Answers like Sentry's ingest (Relay): the envelope endpoint only takes POST, so the check's GET gets 405.
export async function startSentryFake(mode: SentryMode = 'ok'): Promise<Fake> {
  return startFake((req, res) => {
    if (mode === 'hang') return 'hang'
    if (mode === 'ratelimit')
      return json(
        res,
        429,
        { detail: 'event submission rejected with_reason: TooManyRequests' },
        { 'retry-after': '120', 'x-sentry-rate-limits': '120::organization' },
      )
    if (mode === 'error') return json(res, 502, { detail: 'bad gateway' })
    if (/^\/api\/\d+\/envelope\/$/.test(req.url)) {
      if (req.method === 'POST') return json(res, 200, { id: '0'.repeat(32) })
      res.writeHead(405, { allow: 'POST, OPTIONS' })
      res.end()
      return
    }
    json(res, 404, { detail: 'not found' })
  })
}

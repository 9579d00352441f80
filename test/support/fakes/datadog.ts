import { json, startFake, type Fake } from './http.js'

export type DatadogMode = 'ok' | 'ratelimit' | 'ratelimit-reset' | 'error' | 'hang'

// Answers GET /api/v1/validate as https://docs.datadoghq.com/api/latest/authentication/ documents it.
export async function startDatadogFake(key: string, mode: DatadogMode = 'ok'): Promise<Fake> {
  return startFake((req, res) => {
    if (mode === 'hang') return 'hang'
    if (req.method !== 'GET' || req.url !== '/api/v1/validate') return json(res, 404, { errors: ['Not found'] })
    if (mode === 'ratelimit') return json(res, 429, { errors: ['Too many requests'] }, { 'retry-after': '120' })
    // Datadog's own rate-limit headers, without Retry-After
    if (mode === 'ratelimit-reset')
      return json(
        res,
        429,
        { errors: ['Too many requests'] },
        {
          'x-ratelimit-limit': '100',
          'x-ratelimit-period': '60',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '45',
        },
      )
    if (mode === 'error') return json(res, 500, { errors: ['Internal Server Error'] })
    if (req.headers['dd-api-key'] !== key) return json(res, 403, { errors: ['Forbidden'] })
    json(res, 200, { valid: true })
  })
}

import { json, startFake, type Fake } from './http.js'

export type ResendMode = 'ok' | 'ratelimit' | 'error' | 'hang'

// As https://resend.com/docs/api-reference/errors documents: sending-only keys get 401, unknown keys 403
export async function startResendFake(
  keys: { full?: string; sending?: string },
  mode: ResendMode = 'ok',
): Promise<Fake> {
  return startFake((req, res) => {
    if (mode === 'hang') return 'hang'
    if (!req.headers['user-agent'])
      return json(res, 403, { statusCode: 403, message: 'error code: 1010', name: 'forbidden' })
    const auth = req.headers.authorization
    if (!auth)
      return json(res, 401, {
        statusCode: 401,
        message:
          'Missing API key in the authorization header. Include the following header Authorization: Bearer YOUR_API_KEY in the request.',
        name: 'missing_api_key',
      })
    const given = auth.replace(/^Bearer /, '')
    if (mode === 'ratelimit')
      return json(
        res,
        429,
        {
          statusCode: 429,
          message: 'Too many requests. You can only make 2 requests per second.',
          name: 'rate_limit_exceeded',
        },
        { 'retry-after': '120', 'ratelimit-limit': '2', 'ratelimit-remaining': '0' },
      )
    if (mode === 'error')
      return json(res, 500, {
        statusCode: 500,
        message: 'An unexpected error occurred, please try again.',
        name: 'internal_server_error',
      })
    if (given === keys.sending)
      return json(res, 401, {
        statusCode: 401,
        message: 'This API key is restricted to only send emails',
        name: 'restricted_api_key',
      })
    if (given !== keys.full)
      return json(res, 403, { statusCode: 403, message: 'API key is invalid', name: 'invalid_api_key' })
    if (req.method !== 'GET' || req.url !== '/domains')
      return json(res, 404, { statusCode: 404, message: 'The requested endpoint does not exist.', name: 'not_found' })
    json(res, 200, {
      object: 'list',
      data: [
        {
          id: '4dd369bc-aa82-4ff3-97de-514ae3000ee0',
          name: 'mail.example.com',
          status: 'verified',
          created_at: '2026-04-26 20:21:26.347412+00',
          region: 'us-east-1',
        },
        {
          id: 'd91cd9bd-1176-453e-8fc1-35364d380206',
          name: 'news.example.com',
          status: 'not_started',
          created_at: '2026-05-02 10:01:00.000000+00',
          region: 'eu-west-1',
        },
      ],
    })
  })
}

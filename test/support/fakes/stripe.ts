import { json, startFake, type Fake } from './http.js'

export type StripeMode = 'ok' | 'ratelimit' | 'error' | 'hang' | 'restricted-no-balance' | 'livemode'

// As Stripe's balance and error docs show; its errors quote a masked key, which must not leak
export async function startStripeFake(key: string, mode: StripeMode = 'ok'): Promise<Fake> {
  return startFake((req, res) => {
    if (mode === 'hang') return 'hang'
    const given = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
    const masked = `${given.slice(0, 8)}********${given.slice(-4)}`
    if (req.method !== 'GET' || !req.url.startsWith('/v1/balance')) {
      return json(res, 404, {
        error: { message: `Unrecognized request URL (${req.method}: ${req.url}).`, type: 'invalid_request_error' },
      })
    }
    if (given !== key)
      return json(res, 401, {
        error: { message: `Invalid API Key provided: ${masked}`, type: 'invalid_request_error' },
      })
    if (mode === 'restricted-no-balance') {
      return json(res, 403, {
        error: {
          message: `The provided key '${masked}' does not have the required permissions for this endpoint on account 'acct_1FAKEFAKEFAKE'. Having the 'rak_balance_read' permission would allow this request to continue.`,
          type: 'invalid_request_error',
        },
      })
    }
    if (mode === 'ratelimit')
      return json(
        res,
        429,
        {
          error: {
            message:
              'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
            type: 'invalid_request_error',
            code: 'rate_limit',
          },
        },
        { 'retry-after': '120', 'request-id': 'req_fake' },
      )
    if (mode === 'error')
      return json(
        res,
        500,
        { error: { message: 'An unknown error occurred', type: 'api_error' } },
        { 'stripe-should-retry': 'true', 'request-id': 'req_fake' },
      )
    json(
      res,
      200,
      {
        object: 'balance',
        available: [{ amount: 0, currency: 'usd', source_types: { card: 0 } }],
        livemode: mode === 'livemode',
        pending: [{ amount: 0, currency: 'usd', source_types: { card: 0 } }],
      },
      { 'request-id': 'req_fake' },
    )
  })
}

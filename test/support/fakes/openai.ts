import { json, startFake, type Fake } from './http.js'

export type OpenAIMode = 'ok' | 'ratelimit' | 'error' | 'hang' | 'missing-scope' | 'project-key' | 'country'

// Answers GET /v1/models as https://platform.openai.com/docs/api-reference/models/list documents it.
export async function startOpenAIFake(key: string, mode: OpenAIMode = 'ok'): Promise<Fake> {
  return startFake((req, res) => {
    if (mode === 'hang') return 'hang'
    if (req.method !== 'GET' || req.url !== '/v1/models')
      return json(res, 404, {
        error: {
          message: `Invalid URL (${req.method} ${req.url})`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      })
    const given = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
    if (given !== key) {
      // OpenAI echoes a masked key: the check must not pass it on
      const masked = `${given.slice(0, 3)}${'*'.repeat(8)}${given.slice(-4)}`
      return json(res, 401, {
        error: {
          message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      })
    }
    if (mode === 'missing-scope')
      return json(res, 401, {
        error: {
          message:
            'You have insufficient permissions for this operation. Missing scopes: api.model.read. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you are using a restricted API key, that it has the necessary scopes.',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      })
    // a project key whose project role may not read models
    if (mode === 'project-key')
      return json(res, 403, {
        error: {
          message:
            'You have insufficient permissions for this operation. Missing scopes: api.model.read. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner).',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      })
    if (mode === 'country')
      return json(res, 403, {
        error: {
          message: 'Country, region, or territory not supported',
          type: 'request_forbidden',
          param: null,
          code: 'unsupported_country_region_territory',
        },
      })
    if (mode === 'ratelimit')
      return json(
        res,
        429,
        {
          error: {
            message: 'Rate limit reached for requests',
            type: 'requests',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
        { 'retry-after': '120' },
      )
    if (mode === 'error')
      return json(res, 500, {
        error: {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
      })
    json(res, 200, {
      object: 'list',
      data: [
        { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
        { id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
      ],
    })
  })
}

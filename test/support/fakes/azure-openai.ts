import { json, startFake, type Fake } from './http.js'

export type AzureMode = 'ok' | 'ratelimit' | 'error' | 'hang' | 'embeddings'

// Azure OpenAI's order: the key, then the deployment, then the body (an empty message list is a 400)
export async function startAzureFake(key: string, deployments: string[], mode: AzureMode = 'ok'): Promise<Fake> {
  return startFake((req, res) => {
    if (mode === 'hang') return 'hang'
    if (req.headers['api-key'] !== key) {
      return json(res, 401, {
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      })
    }
    const m = /^\/openai\/deployments\/([^/]+)\/chat\/completions\?api-version=(\d{4}-\d{2}-\d{2}(?:-preview)?)$/.exec(
      req.url,
    )
    if (req.method !== 'POST' || !m) return json(res, 404, { error: { code: '404', message: 'Resource not found' } })
    if (mode === 'ratelimit') {
      return json(
        res,
        429,
        {
          error: {
            code: '429',
            message:
              'Requests to the ChatCompletions_Create Operation have exceeded call rate limit. Please retry after 120 seconds.',
          },
        },
        { 'retry-after': '120', 'retry-after-ms': '120000' },
      )
    }
    if (mode === 'error')
      return json(res, 500, {
        error: {
          code: 'InternalServerError',
          message: 'The service is temporarily unable to process your request. Please try again later.',
        },
      })
    if (!deployments.includes(decodeURIComponent(m[1]))) {
      return json(res, 404, {
        error: {
          code: 'DeploymentNotFound',
          message:
            'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
        },
      })
    }
    if (mode === 'embeddings')
      return json(res, 400, {
        error: {
          code: 'OperationNotSupported',
          message:
            'The chatCompletion operation does not work with the specified model, text-embedding-3-small. Please choose different model and try again.',
        },
      })
    const body = JSON.parse(req.body || '{}') as { messages?: unknown[]; max_tokens?: number }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return json(res, 400, {
        error: { message: "[] is too short - 'messages'", type: 'invalid_request_error', param: null, code: null },
      })
    }
    json(res, 200, {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant', content: 'Po' } }],
      usage: { prompt_tokens: 8, completion_tokens: body.max_tokens ?? 16, total_tokens: 8 + (body.max_tokens ?? 16) },
    })
  })
}

import { httpFailure, httpRequest, joinUrl, type HttpAnswer } from './lib/http.js'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { field, keeps } from './lib/shape.js'

interface OpenAIError {
  error?: { code?: unknown; message?: unknown }
}

// OpenAI's messages echo part of the key, so only the error code and the missing scopes are reported.
function errorOf(res: HttpAnswer): { code: string; scopes?: string; permissions: boolean } {
  const err = (res.json as OpenAIError | undefined)?.error
  const message = typeof err?.message === 'string' ? err.message : ''
  return {
    code: typeof err?.code === 'string' && /^[a-z_]{1,64}$/.test(err.code) ? ` (${err.code})` : '',
    scopes: /Missing scopes: ((?:[a-z0-9_]+\.)+[a-z0-9_]+(?:, *(?:[a-z0-9_]+\.)+[a-z0-9_]+)*)/.exec(message)?.[1],
    permissions: /insufficient permissions/i.test(message),
  }
}

// A restricted or project key without model read is a valid key: the platform's calls may not need that read.
function narrowKey(res: HttpAnswer): Observation | undefined {
  const { scopes, permissions } = errorOf(res)
  if ((res.status !== 401 && res.status !== 403) || (!scopes && !permissions)) return undefined
  const lacks = scopes ? `the ${scopes} permission` : 'the permission to list models'
  return {
    status: 'warn',
    reason: Reason.INSUFFICIENT_SCOPE,
    output: `OPENAI_API_KEY is a valid key but lacks ${lacks} (OpenAI answered ${res.status}), so only the key, not its access to models, is proven; give it read access to Models if the platform lists them`,
    details: { access: 'restricted' },
  }
}

function failure(res: HttpAnswer): CheckError {
  const { code } = errorOf(res)
  return httpFailure(res, 'OpenAI', {
    auth: `OPENAI_API_KEY was rejected${code}; create a key at https://platform.openai.com/api-keys and set OPENAI_API_KEY`,
    forbidden: `OPENAI_API_KEY may not list models${code} (project permissions, or a country the API does not serve)`,
    notFound: 'no /models under OPENAI_BASE_URL; it should end in /v1 (default https://api.openai.com/v1)',
  })
}

export default defineCheck({
  name: 'openai',
  tier: 'optional',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'The key is accepted (listing models, which costs nothing)',
  start(ctx) {
    const s = ctx.config.settings
    const url = joinUrl(s.OPENAI_BASE_URL, '/models')
    const key = s.OPENAI_API_KEY
    const asked = { provider: 'OpenAI', request: 'GET /models', setting: 'OPENAI_BASE_URL' }
    return {
      async run(signal): Promise<Observation> {
        const res = await httpRequest(url, {
          headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
          signal,
        })
        if (res.status !== 200) {
          const narrow = narrowKey(res)
          if (narrow) return narrow
          throw failure(res)
        }
        const { data } = keeps(res, { object: field.is('list'), data: field.array }, asked)
        return {
          status: 'pass',
          output: `OPENAI_API_KEY accepted; ${data.length} models visible`,
          details: { models: data.length },
        }
      },
    }
  },
})

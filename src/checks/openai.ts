import { httpFailure, httpRequest, joinUrl, type HttpAnswer } from './lib/http.js'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck } from './types.js'

interface OpenAIError {
  error?: { code?: unknown; message?: unknown }
}

// OpenAI's messages echo part of the key, so only the error code and the missing scopes are reported.
function failure(res: HttpAnswer): CheckError {
  const err = (res.json as OpenAIError | undefined)?.error
  const code = typeof err?.code === 'string' && /^[a-z_]{1,64}$/.test(err.code) ? ` (${err.code})` : ''
  const scopes = typeof err?.message === 'string' ? /Missing scopes: ((?:[a-z0-9_]+\.)+[a-z0-9_]+(?:, *(?:[a-z0-9_]+\.)+[a-z0-9_]+)*)/.exec(err.message)?.[1] : undefined
  if (res.status === 401 && scopes) {
    return new CheckError(Reason.FORBIDDEN, `OpenAI answered 401: OPENAI_API_KEY is a restricted key without the ${scopes} permission; give it read access to Models, or use another key`)
  }
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
  cache: 'third-party',
  description: 'The key is accepted (listing models, which costs nothing)',
  start(ctx) {
    const s = ctx.config.settings
    const url = joinUrl(s.OPENAI_BASE_URL, '/models')
    const key = s.OPENAI_API_KEY
    return {
      async run(signal) {
        const res = await httpRequest(url, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' }, signal })
        if (res.status !== 200) throw failure(res)
        const data = (res.json as { data?: unknown } | undefined)?.data
        if (!Array.isArray(data)) throw new CheckError(Reason.BAD_RESPONSE, 'OpenAI answered 200 without a model list: is OPENAI_BASE_URL an OpenAI-compatible API?')
        return { status: 'pass', output: `OPENAI_API_KEY accepted; ${data.length} models visible`, details: { models: data.length } }
      },
    }
  },
})

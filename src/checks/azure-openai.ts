import { httpFailure, httpRequest, joinUrl, type HttpAnswer } from './lib/http.js'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { field, keeps, type Answered } from './lib/shape.js'

interface AzureError {
  error?: { code?: unknown; message?: unknown }
}

function errorOf(res: HttpAnswer): { code?: string; message?: string } {
  const err = (res.json as AzureError | undefined)?.error
  return {
    code: typeof err?.code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(err.code) ? err.code : undefined,
    message: typeof err?.message === 'string' ? err.message : undefined,
  }
}

// as Azure documents a chat completion, and an error: a 200 or 400 without them came from something else
const COMPLETION = { object: field.is('chat.completion'), choices: field.array }
const ERROR = { error: field.object }

// key, then deployment, then body are checked: an empty message list is a 400 before any token is generated
const FREE_BODY = JSON.stringify({ messages: [] })
const DEEP_BODY = JSON.stringify({ messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 })

export default defineCheck({
  name: 'azure-openai',
  tier: 'critical',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description:
    'The key is accepted and the deployment exists, without spending tokens (a one-token completion with HEALTH_DEEP_CHECKS)',
  start(ctx) {
    const s = ctx.config.settings
    const deep = ctx.config.health.HEALTH_DEEP_CHECKS
    const baseSetting = s.AZURE_OPENAI_BASE_URL ? 'AZURE_OPENAI_BASE_URL' : 'AZURE_OPENAI_ENDPOINT'
    const base = s.AZURE_OPENAI_BASE_URL ?? s.AZURE_OPENAI_ENDPOINT
    const deployment = s.AZURE_OPENAI_DEPLOYMENT
    const version = s.AZURE_OPENAI_API_VERSION
    let host: string
    try {
      host = new URL(base).host
    } catch {
      throw new CheckError(
        Reason.MISCONFIGURED,
        `${baseSetting} is not a URL; set it to https://<resource name>.openai.azure.com`,
      )
    }
    const url = joinUrl(
      base,
      `/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${encodeURIComponent(version)}`,
    )
    const headers = {
      'api-key': s.AZURE_OPENAI_API_KEY,
      'content-type': 'application/json',
      accept: 'application/json',
    }
    const details = { host, deployment, apiVersion: version, deep }
    const asked = (request: string) => ({ provider: 'Azure OpenAI', request, setting: baseSetting })
    const completionRequest = `POST /openai/deployments/${deployment}/chat/completions`
    const refused = (res: Answered) => keeps(res, ERROR, asked(completionRequest))
    const completed = (res: Answered) => keeps(res, COMPLETION, asked(completionRequest))

    function failure(res: HttpAnswer): CheckError {
      const { code } = errorOf(res)
      if (res.status === 404 && code === 'DeploymentNotFound') {
        return new CheckError(
          Reason.NOT_FOUND,
          `Azure OpenAI answered 404 DeploymentNotFound: no deployment "${deployment}" on ${host}; set AZURE_OPENAI_DEPLOYMENT to a deployment name (not a model name) from the resource's Deployments page (a new deployment takes up to 5 minutes to appear)`,
          { details },
        )
      }
      return httpFailure(res, 'Azure OpenAI', {
        auth: `AZURE_OPENAI_API_KEY was rejected by ${host}; copy KEY 1 or KEY 2 from the resource's Keys and Endpoint page, and check that ${baseSetting} is that resource`,
        forbidden: `${host} refuses this caller${code ? ` (${code})` : ''}: check the resource's Networking rules (firewall, private endpoint) and that key access is enabled`,
        notFound: `${host} has no such path${code ? ` (${code})` : ''}: check ${baseSetting} (https://<resource name>.openai.azure.com) and that AZURE_OPENAI_API_VERSION ${version} is a version the service supports`,
      })
    }

    async function free(signal: AbortSignal): Promise<Observation> {
      const res = await httpRequest(url, { method: 'POST', headers, body: FREE_BODY, signal })
      if (res.status === 400) {
        refused(res)
        const { code, message } = errorOf(res)
        // an unsupported version is refused before the deployment is looked up
        if (message && /api[- ]?version/i.test(message)) {
          throw new CheckError(
            Reason.MISCONFIGURED,
            `Azure OpenAI answered 400: AZURE_OPENAI_API_VERSION ${version} is not supported; use a current version such as 2024-10-21`,
            { details },
          )
        }
        if (code === 'OperationNotSupported') {
          return {
            status: 'warn',
            reason: Reason.MISCONFIGURED,
            output: `deployment "${deployment}" exists but its model does not support chat completions; point AZURE_OPENAI_DEPLOYMENT at a chat model deployment`,
            details,
          }
        }
        return {
          status: 'pass',
          output: `AZURE_OPENAI_API_KEY accepted and deployment "${deployment}" exists (no tokens spent)`,
          details,
        }
      }
      if (res.status === 200) {
        completed(res)
        return {
          status: 'pass',
          output: `AZURE_OPENAI_API_KEY accepted and deployment "${deployment}" answers`,
          details,
        }
      }
      throw failure(res)
    }

    async function completion(signal: AbortSignal): Promise<Observation> {
      const res = await httpRequest(url, { method: 'POST', headers, body: DEEP_BODY, signal })
      if (res.status === 200) {
        const usage = completed(res).usage as { total_tokens?: unknown } | null | undefined
        const tokens = typeof usage?.total_tokens === 'number' ? usage.total_tokens : null
        return {
          status: 'pass',
          output: `deployment "${deployment}" completed a one-token request (deep check)`,
          details: { ...details, tokens },
        }
      }
      if (res.status === 400) {
        refused(res)
        const { code } = errorOf(res)
        return {
          status: 'warn',
          reason: Reason.BAD_RESPONSE,
          output: `deployment "${deployment}" exists but refused a one-token completion${code ? ` (${code})` : ''}; its model may need max_completion_tokens, or HEALTH_DEEP_CHECKS can be turned off`,
          details,
        }
      }
      throw failure(res)
    }

    return { run: (signal) => (deep ? completion(signal) : free(signal)) }
  },
})

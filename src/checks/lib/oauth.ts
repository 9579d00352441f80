import { httpFailure, httpRequest, rateLimitWaitMs, type HttpAnswer } from './http.js'
import { Reason } from '../../reasons.js'
import { CheckError, type Observation } from '../types.js'
import { field as promised, keeps, type Asked } from './shape.js'
import { quote } from './quote.js'

// Shared by the checks that prove OAuth credentials against a provider's token endpoint.

// Never a real code: it only has to be refused after the client is authenticated (RFC 6749 §4.1.3).
export const INVALID_CODE = 'huntaze-health-check-deliberately-invalid-code'

// Secrets travel in the body, never in the URL, so they do not land in proxies' access logs.
export function postForm(
  url: string,
  params: Record<string, string>,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return httpRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(params).toString(),
    signal,
  })
}

function field(json: unknown, name: string): unknown {
  return json && typeof json === 'object' ? (json as Record<string, unknown>)[name] : undefined
}

// Provider text goes into outputs: keep it short and printable.
function tidy(value: unknown, max = 160): string | undefined {
  if (typeof value !== 'string') return undefined
  const clean = value.replace(/[^\x20-\x7e]+/g, ' ').trim()
  if (!clean) return undefined
  return quote(clean, max)
}

export interface OAuthError {
  error?: string
  description?: string
  // TikTok's request id, which its support asks for
  logId?: string
}

// The RFC 6749 §5.2 error body: {"error": "...", "error_description": "..."}.
export function oauthError(res: HttpAnswer): OAuthError {
  const error = field(res.json, 'error')
  return {
    error: typeof error === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(error) ? error : undefined,
    description: tidy(field(res.json, 'error_description')),
    logId: tidy(field(res.json, 'log_id'), 64),
  }
}

export function describe(e: OAuthError): string {
  return [e.error, e.description ? `"${e.description}"` : undefined, e.logId ? `log_id ${e.logId}` : undefined]
    .filter(Boolean)
    .join(' ')
}

export function hasAccessToken(res: HttpAnswer): boolean {
  const token = field(res.json, 'access_token')
  return typeof token === 'string' && token.length > 0
}

// A token answer as RFC 6749 §5.1 documents it: the token and its type.
const TOKEN = { access_token: promised.string, token_type: promised.string }

// A client-credentials grant answered 200: a token proves the client; no token means another API answered.
export function granted(res: HttpAnswer, accepted: string, asked: Asked): Observation {
  keeps(res, TOKEN, asked)
  return { output: accepted, details: tokenDetails(res) }
}

// What a token answer may show: never the token itself.
function tokenDetails(res: HttpAnswer): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  const type = field(res.json, 'token_type')
  const expires = field(res.json, 'expires_in')
  if (typeof type === 'string' && /^[A-Za-z]{1,20}$/.test(type)) out.tokenType = type
  if (typeof expires === 'number' && Number.isFinite(expires)) out.tokenExpiresInS = expires
  return out
}

export function rateLimited(provider: string, res: HttpAnswer, why = 'rate limited'): CheckError {
  const wait = rateLimitWaitMs(res.headers)
  return new CheckError(
    Reason.RATE_LIMITED,
    `${provider} answered ${res.status} (${why}); next probe in ${Math.ceil(wait / 1000)}s`,
    { retryAfterMs: wait },
  )
}

// 429, 5xx and anything else unexpected, with the base URL setting to look at.
export function otherFailure(res: HttpAnswer, provider: string, urlSetting: string): CheckError {
  if (res.status === 429) return rateLimited(provider, res)
  if (res.status >= 300 && res.status < 400) {
    return new CheckError(
      Reason.BAD_RESPONSE,
      `${provider} answered a redirect (${res.status}): ${urlSetting} does not point at the token endpoint`,
    )
  }
  const e = oauthError(res)
  const err = httpFailure(res, provider, { notFound: `no token endpoint there; check ${urlSetting}` })
  if (err.reason === Reason.BAD_RESPONSE) {
    return new CheckError(
      Reason.BAD_RESPONSE,
      `${err.message}${e.error ? ` (${describe(e)})` : ''}; is ${urlSetting} the provider's endpoint?`,
    )
  }
  return err
}

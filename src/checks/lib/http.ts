import { Reason } from '../../reasons.js'
import { CheckError } from '../types.js'
import { send } from './transport.js'

// Sent with every request unless a check sets its own: some providers refuse requests without one (Resend: 403, error 1010).
export const USER_AGENT = 'huntaze-health'

// A base URL setting may end in slashes; the path starts with one.
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`
}

export interface HttpAnswer {
  status: number
  headers: Headers
  text: string
  json: unknown
}

// One HTTP call for a probe, on a connection of its own that is closed when it settles or when the engine's signal
// fires; redirects are not followed, and the body is read to MAX_BODY_BYTES at most (transport.ts).
export async function httpRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal: AbortSignal },
): Promise<HttpAnswer> {
  const headers = { 'user-agent': USER_AGENT, ...init.headers }
  const res = await send(url, { method: init.method ?? 'GET', headers, body: init.body, signal: init.signal })
  const text = res.body.toString('utf8')
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

// Retry-After is either seconds or an HTTP date; a missing or silly value falls back to one minute.
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header) {
    const seconds = Number(header)
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 86_400) * 1000
    const date = Date.parse(header)
    if (!Number.isNaN(date)) return Math.max(0, Math.min(date - now, 86_400_000))
  }
  return 60_000
}

// How long a 429 asks us to wait: Retry-After, or X-RateLimit-Reset where a provider uses that instead
// (GitHub as an epoch second, Reddit and Datadog as seconds from now).
export function rateLimitWaitMs(headers: Headers, now = Date.now()): number {
  const retry = headers.get('retry-after')
  if (retry) return retryAfterMs(retry, now)
  const reset = Number(headers.get('x-ratelimit-reset'))
  if (Number.isFinite(reset) && reset > 0) {
    return reset > 1_000_000_000
      ? Math.max(0, Math.min(reset * 1000 - now, 86_400_000))
      : retryAfterMs(String(reset), now)
  }
  return retryAfterMs(null, now)
}

// Turns a non-success answer into the reason an engineer can act on; the hints name the setting to look at.
export function httpFailure(
  res: HttpAnswer,
  provider: string,
  hints: { auth?: string; forbidden?: string; notFound?: string } = {},
): CheckError {
  const s = res.status
  if (s === 401)
    return new CheckError(
      Reason.AUTH_FAILED,
      `${provider} answered 401: ${hints.auth ?? 'the credentials were rejected'}`,
    )
  if (s === 403)
    return new CheckError(
      Reason.FORBIDDEN,
      `${provider} answered 403: ${hints.forbidden ?? 'the credentials lack a permission'}`,
    )
  if (s === 404) return new CheckError(Reason.NOT_FOUND, `${provider} answered 404: ${hints.notFound ?? 'not found'}`)
  if (s === 429) {
    const wait = rateLimitWaitMs(res.headers)
    return new CheckError(
      Reason.RATE_LIMITED,
      `${provider} answered 429 (rate limited); next probe in ${Math.ceil(wait / 1000)}s`,
      { retryAfterMs: wait },
    )
  }
  if (s >= 500) return new CheckError(Reason.UPSTREAM_ERROR, `${provider} answered ${s}: a server error on their side`)
  return new CheckError(Reason.BAD_RESPONSE, `${provider} answered an unexpected ${s}`)
}

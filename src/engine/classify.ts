import { CheckError } from '../checks/types.js'
import { Reason, type ReasonCode } from '../reasons.js'
import type { Failure } from './status.js'

const errnoReasons: Record<string, ReasonCode> = {
  ECONNREFUSED: Reason.REFUSED,
  ENOTFOUND: Reason.UNREACHABLE,
  EAI_AGAIN: Reason.UNREACHABLE,
  EHOSTUNREACH: Reason.UNREACHABLE,
  ENETUNREACH: Reason.UNREACHABLE,
  ECONNRESET: Reason.CONNECTION_RESET,
  EPIPE: Reason.CONNECTION_RESET,
  ETIMEDOUT: Reason.TIMEOUT,
  ESOCKETTIMEDOUT: Reason.TIMEOUT,
  UND_ERR_CONNECT_TIMEOUT: Reason.TIMEOUT,
  UND_ERR_HEADERS_TIMEOUT: Reason.TIMEOUT,
  UND_ERR_SOCKET: Reason.CONNECTION_RESET,
  CERT_HAS_EXPIRED: Reason.TLS_ERROR,
  DEPTH_ZERO_SELF_SIGNED_CERT: Reason.TLS_ERROR,
  SELF_SIGNED_CERT_IN_CHAIN: Reason.TLS_ERROR,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: Reason.TLS_ERROR,
  ERR_TLS_CERT_ALTNAME_INVALID: Reason.TLS_ERROR,
  EPROTO: Reason.TLS_ERROR,
}

const errnoWords: Partial<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (no answer from the name server: DNS may be down)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
}

// Walks error.cause chains and AggregateErrors (undici and the AWS SDK wrap the socket error).
function* causes(err: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>()
  const queue: unknown[] = [err]
  while (queue.length > 0) {
    const e = queue.shift()
    if (!e || typeof e !== 'object' || seen.has(e)) continue
    seen.add(e)
    yield e as Record<string, unknown>
    const rec = e as { cause?: unknown; errors?: unknown[] }
    if (rec.cause) queue.push(rec.cause)
    if (Array.isArray(rec.errors)) queue.push(...rec.errors)
  }
}

function address(e: Record<string, unknown>): string {
  if (typeof e.address === 'string' && typeof e.port === 'number') return ` ${e.address}:${e.port}`
  if (typeof e.hostname === 'string') return ` ${e.hostname}`
  return ''
}

export function classifyError(err: unknown): Failure {
  if (err instanceof CheckError)
    return { reason: err.reason, message: err.message, retryAfterMs: err.extra.retryAfterMs }
  for (const e of causes(err)) {
    // nodemailer keeps the socket's code in originalCode
    const code =
      typeof e.originalCode === 'string' && errnoReasons[e.originalCode]
        ? e.originalCode
        : typeof e.code === 'string'
          ? e.code
          : undefined
    if (code && errnoReasons[code]) {
      return { reason: errnoReasons[code], message: `${errnoWords[code] ?? code}${address(e)}` }
    }
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return { reason: Reason.TIMEOUT, message: 'timed out' }
    }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { reason: Reason.INTERNAL, message: message || 'the check failed without a message' }
}

import { retryAfterMs, USER_AGENT } from '../checks/lib/http.js'
import { send } from '../checks/lib/transport.js'
import { CheckError } from '../checks/types.js'

// How one POST went. `why` names what happened in words fit for a log line: never the URL, nor what the receiver
// answered in its body (either may carry the webhook's token).
export type Attempt =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; why: string; retryAfterMs?: number }
  | { outcome: 'rejected'; why: string }
  | { outcome: 'stopped' }

// Worth another try: the receiver may answer later. Any other answer below 200 or from 300 will not change.
const retryable = (status: number) => status === 408 || status === 429 || status >= 500

// One POST on a connection of its own (the probes' transport: no pool, nothing left open), within timeoutMs;
// `stop` (the notifier closing) aborts it at once.
export async function post(url: string, body: string, timeoutMs: number, stop: AbortSignal): Promise<Attempt> {
  if (stop.aborted) return { outcome: 'stopped' }
  const attempt = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    attempt.abort()
  }, timeoutMs)
  const onStop = () => attempt.abort()
  stop.addEventListener('abort', onStop, { once: true })
  try {
    const answer = await send(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': USER_AGENT,
      },
      body,
      signal: attempt.signal,
    })
    const { status } = answer
    if (status >= 200 && status < 300) return { outcome: 'delivered' }
    if (!retryable(status))
      return { outcome: 'rejected', why: `answered ${status}${status < 400 ? ' (redirects are not followed)' : ''}` }
    const header = answer.headers.get('retry-after')
    return { outcome: 'retry', why: `answered ${status}`, retryAfterMs: header ? retryAfterMs(header) : undefined }
  } catch (err) {
    if (stop.aborted) return { outcome: 'stopped' }
    if (timedOut) return { outcome: 'retry', why: `no answer within ${timeoutMs} ms` }
    // a code, never the message: a socket error's message names the host and port
    const { code } = err as { code?: unknown }
    const what = err instanceof CheckError ? err.reason : typeof code === 'string' ? code : (err as Error).name
    return { outcome: 'retry', why: `the request failed (${what})` }
  } finally {
    clearTimeout(timer)
    stop.removeEventListener('abort', onStop)
  }
}

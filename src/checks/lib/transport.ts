import type { IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { http } from '../../node-http.js'
import { Reason } from '../../reasons.js'
import { CheckError } from '../types.js'
import { READ_CAP_BYTES } from './read-cap.js'

// The most a probe reads of one answer from a dependency, the datastores' cap too: a health check needs kilobytes.
export const MAX_BODY_BYTES = READ_CAP_BYTES

const capText = `${MAX_BODY_BYTES / 1024 / 1024} MiB`

export function notHttp(host: string): CheckError {
  return new CheckError(Reason.BAD_RESPONSE, `${host} answered something that is not HTTP`)
}

export function tooLarge(host: string): CheckError {
  return new CheckError(
    Reason.BAD_RESPONSE,
    `${host} answered more than ${capText} (${MAX_BODY_BYTES} bytes); a probe reads no more than that`,
  )
}

export interface RawAnswer {
  status: number
  headers: Headers
  body: Buffer
}

export interface RawRequest {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  signal: AbortSignal
}

// What fetch() rejects with on an abort: the signal's reason, or an AbortError.
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError')
}

function headersOf(res: IncomingMessage): Headers {
  const headers = new Headers()
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    try {
      headers.append(res.rawHeaders[i], res.rawHeaders[i + 1])
    } catch {
      // a header the Fetch API refuses (a bad name or value) is dropped, as fetch() would fail on it
    }
  }
  return headers
}

// A body sent compressed although none was asked for is decoded, to the same cap.
function decoded(host: string, encoding: string | undefined, body: Buffer): Buffer {
  const opts = { maxOutputLength: MAX_BODY_BYTES }
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body, opts)
    if (encoding === 'deflate') return inflateSync(body, opts)
    if (encoding === 'br') return brotliDecompressSync(body, opts)
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(host)
    throw new CheckError(Reason.BAD_RESPONSE, `${host} answered a ${encoding} body that does not decode`)
  }
  return body
}

// One request on a connection of its own, closed when the answer is read, when it fails and when the signal fires:
// no pool, no keep-alive, no retry, so no socket outlives the probe. The body is read to MAX_BODY_BYTES at most.
export function send(url: string, init: RawRequest): Promise<RawAnswer> {
  const target = new URL(url)
  const host = target.host
  const { signal } = init
  if (signal.aborted) return Promise.reject(abortError(signal))
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return Promise.reject(new CheckError(Reason.MISCONFIGURED, `${url} is not an http or https URL`))
  const request = target.protocol === 'https:' ? httpsRequest : http.request
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = request(target, { method: init.method ?? 'GET', headers: init.headers, agent: false })
    let done = false
    const finish = (err: Error | undefined, answer?: RawAnswer) => {
      if (done) return
      done = true
      signal.removeEventListener('abort', onAbort)
      // whatever the outcome, the connection goes with this request
      req.destroy()
      if (answer) resolve(answer)
      else reject(err ?? new Error('the request ended without an answer'))
    }
    const onAbort = () => finish(abortError(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    req.on('error', (err: Error & { code?: string }) => {
      // llhttp's parse errors: what answered is not HTTP
      if (typeof err.code === 'string' && err.code.startsWith('HPE_')) finish(notHttp(host))
      else finish(err)
    })
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length'])
      if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return finish(tooLarge(host))
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_BODY_BYTES) return finish(tooLarge(host))
        chunks.push(chunk)
      })
      res.on('error', (err) => finish(err))
      res.on('aborted', () => {
        const err = new Error('the connection closed in the middle of the answer') as Error & { code: string }
        err.code = 'ECONNRESET'
        finish(err)
      })
      res.on('end', () => {
        try {
          const body = decoded(host, res.headers['content-encoding']?.toLowerCase(), Buffer.concat(chunks))
          finish(undefined, { status: res.statusCode ?? 0, headers: headersOf(res), body })
        } catch (err) {
          finish(err as Error)
        }
      })
    })
    req.end(init.body)
  })
}

// A fetch() over send(), for SDKs that take a fetch function (Stripe): the whole body is read, capped, before the
// Response is handed over, so the SDK holds no socket.
export async function probeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  const headers: Record<string, string> = {}
  new Headers(init.headers).forEach((value, name) => (headers[name] = value))
  if (init.body !== undefined && init.body !== null && typeof init.body !== 'string')
    throw new TypeError('probeFetch sends string bodies only')
  const answer = await send(url, {
    method: init.method,
    headers,
    body: init.body ?? undefined,
    signal: init.signal ?? new AbortController().signal,
  })
  if (answer.status < 200 || answer.status > 599)
    throw new CheckError(Reason.BAD_RESPONSE, `${new URL(url).host} answered an HTTP status of ${answer.status}`)
  const bodyless = answer.status === 204 || answer.status === 205 || answer.status === 304
  return new Response(bodyless ? null : new Uint8Array(answer.body), { status: answer.status, headers: answer.headers })
}

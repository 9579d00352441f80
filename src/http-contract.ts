import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { http } from './node-http.js'
import type { Socket } from 'node:net'
import type { FastifyHttpOptions, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { httpLimits } from './http-limits.js'
import type { HealthState } from './state.js'

// The headers and the error shape of every answer, including the ones Fastify and Node would otherwise write
// themselves (docs/responses.md, "Headers and errors").

// errors' type, and the history's: plain JSON, not health+json
export const PLAIN_JSON = 'application/json; charset=utf-8'

// At most `max` characters of a client's input, scrubbed, then an ellipsis when it was longer.
export function echo(scrub: (s: string) => string, input: string, max: number = httpLimits.echoMax): string {
  const clean = scrub(input.length > 4 * max ? input.slice(0, 4 * max) : input)
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

export function errorBody(code: number, message: string, extra: Record<string, unknown> = {}): string {
  const text =
    message.length > httpLimits.maxMessageLength ? `${message.slice(0, httpLimits.maxMessageLength)}…` : message
  return JSON.stringify({ statusCode: code, error: http.STATUS_CODES[code] ?? 'Error', message: text, ...extra })
}

// The headers every answer carries; Connection: close once shutdown has begun, so keep-alive clients move on.
export function contractHeaders(reply: FastifyReply, state: HealthState): FastifyReply {
  reply.header('cache-control', 'no-store')
  if (state.shuttingDown) reply.header('connection', 'close')
  return reply
}

export function sendError(
  reply: FastifyReply,
  state: HealthState,
  code: number,
  message: string,
  extra?: Record<string, unknown>,
): void {
  void contractHeaders(reply, state)
    .code(code)
    .type(PLAIN_JSON)
    .send(errorBody(code, message, extra))
}

// A whole HTTP/1.1 answer for a request the server could not parse: written on the socket, which then closes.
export function rawErrorAnswer(code: number, message: string): string {
  const body = errorBody(code, message)
  return [
    `HTTP/1.1 ${code} ${http.STATUS_CODES[code]}`,
    'Cache-Control: no-store',
    `Content-Type: ${PLAIN_JSON}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    `Date: ${new Date().toUTCString()}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n')
}

// Node's parser errors, by code, as the client's mistake they are.
function clientErrorOf(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): { code: number; message: string } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { code: 408, message: `the request was not received within ${httpLimits.requestTimeoutMs}ms` }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const packet = err.rawPacket
    const firstLine = packet ? packet.indexOf('\r\n') : -1
    if (packet && (firstLine < 0 ? packet.length : firstLine) > httpLimits.maxUrlLength)
      return { code: 414, message: `the URL is longer than ${httpLimits.maxUrlLength} characters` }
    return { code: 431, message: `the request line and headers are larger than ${httpLimits.maxHeaderBytes} bytes` }
  }
  return { code: 400, message: `malformed HTTP/1.1 request (${String(err.code ?? 'parse error')})` }
}

// How long a socket that was answered by the parser's error lingers, reading, so its close is no reset.
const LINGER_MS = 1000

// Fastify's clientErrorHandler: the parser rejected the request before any route saw it.
export function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return
  if (!socket.writable) return void socket.destroy()
  const { code, message } = clientErrorOf(err)
  socket.end(rawErrorAnswer(code, message))
  // keep reading what the client still sends, so the close is a FIN after the answer, not a reset before it
  socket.resume()
  setTimeout(() => socket.destroy(), LINGER_MS).unref()
}

// Fastify's frameworkErrors: a URL the router cannot take, before hooks and routes run.
function onFrameworkError(err: { code?: string }, _req: FastifyRequest, reply: FastifyReply): void {
  const state = reply.server.health
  if (err.code === 'FST_ERR_BAD_URL') return sendError(reply, state, 400, 'malformed percent-encoding in the URL')
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return sendError(reply, state, 414, `a path segment is longer than ${httpLimits.maxParamLength} characters`)
  sendError(reply, state, 500, 'internal error')
}

// Node answers an Expect it does not know with a bodiless 417; this one keeps the shape.
function onCheckExpectation(req: IncomingMessage, res: ServerResponse): void {
  const body = errorBody(417, 'only Expect: 100-continue is supported')
  res.writeHead(417, {
    'cache-control': 'no-store',
    'content-type': PLAIN_JSON,
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  })
  res.end(body)
  req.resume()
}

// The server options that make Fastify and Node keep the contract and the limits (src/http-limits.ts).
export function contractServerOptions(): FastifyHttpOptions<Server> {
  return {
    connectionTimeout: httpLimits.connectionTimeoutMs,
    keepAliveTimeout: httpLimits.keepAliveTimeoutMs,
    requestTimeout: httpLimits.requestTimeoutMs,
    bodyLimit: httpLimits.bodyLimit,
    routerOptions: { maxParamLength: httpLimits.maxParamLength },
    // the onRequest hook answers a missing Host in the error shape; Node's own 400 has no body
    http: {
      maxHeaderSize: httpLimits.maxHeaderBytes,
      headersTimeout: httpLimits.headersTimeoutMs,
      connectionsCheckingInterval: httpLimits.timeoutCheckIntervalMs,
      requireHostHeader: false,
    },
    clientErrorHandler: onClientError,
    frameworkErrors: onFrameworkError,
  }
}

// Hooks and handlers so that every routed answer, error or not, carries the headers and the error shape.
export function installContract(app: FastifyInstance, state: HealthState, scrub: (s: string) => string): void {
  app.server.on('checkExpectation', onCheckExpectation)
  // not async: it runs on every request, the polled routes included
  app.addHook('onRequest', (req, reply, done) => {
    contractHeaders(reply, state)
    if (req.url.length > httpLimits.maxUrlLength)
      return sendError(reply, state, 414, `the URL is longer than ${httpLimits.maxUrlLength} characters`)
    if (req.raw.httpVersion === '1.1' && req.headers.host === undefined)
      return sendError(reply, state, 400, 'an HTTP/1.1 request needs a Host header')
    done()
  })
  app.setNotFoundHandler({}, (req, reply) => {
    const path = req.url.split('?')[0]
    sendError(reply, state, 404, `no route ${req.method} ${echo(scrub, path)}; routes: ${routeList.join(', ')}`)
  })
  app.setErrorHandler((err: { statusCode?: number; message: string; stack?: string }, _req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
    if (code === 500) state.log.error({ err: String(err.stack ?? err.message) }, 'request failed')
    sendError(
      reply,
      state,
      code,
      code === 500 ? 'internal error' : echo(scrub, err.message, httpLimits.maxMessageLength),
    )
  })
}

export const routeList = [
  '/live',
  '/serving',
  '/ready',
  '/health',
  '/health/{service}',
  '/health/{service}/history',
  '/metrics',
  '/status',
  '/badge.svg',
  '/badge/{service}.svg',
]

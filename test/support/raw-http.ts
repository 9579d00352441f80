import { connect, type Socket } from 'node:net'
import { STATUS_CODES } from 'node:http'
import { httpLimits } from '../../src/http-limits.js'

// One HTTP/1.1 answer as it came over the wire: what the client really sees, framework errors included.
export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
  // how the connection ended after the answer, if it did before the helper stopped waiting
  ended: 'open' | 'closed' | 'reset'
}

// Parses the first complete answer in `data`, or returns undefined while it is still incomplete.
export function parseAnswer(data: Buffer): { answer: Omit<RawAnswer, 'ended'>; rest: Buffer } | undefined {
  const end = data.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0)
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const i = line.indexOf(':')
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  const start = end + 4
  if (headers['transfer-encoding'] === 'chunked') {
    let at = start
    const parts: Buffer[] = []
    for (;;) {
      const eol = data.indexOf('\r\n', at)
      if (eol < 0) return undefined
      const size = parseInt(data.subarray(at, eol).toString('latin1'), 16)
      if (data.length < eol + 2 + size + 2) return undefined
      if (size === 0)
        return {
          answer: { status, headers, body: Buffer.concat(parts).toString('utf8') },
          rest: data.subarray(eol + 4),
        }
      parts.push(data.subarray(eol + 2, eol + 2 + size))
      at = eol + 2 + size + 2
    }
  }
  const length = Number(headers['content-length'] ?? 0)
  if (data.length < start + length) return undefined
  return {
    answer: { status, headers, body: data.subarray(start, start + length).toString('utf8') },
    rest: data.subarray(start + length),
  }
}

// Writes `request` as raw bytes on a new connection and reads one answer (a HEAD answer has no body to read).
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1')
    let data: Buffer = Buffer.alloc(0)
    let answer: Omit<RawAnswer, 'ended'> | undefined
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new Error(
          `no complete answer within ${timeoutMs}ms; got ${JSON.stringify(data.toString('latin1').slice(0, 300))}`,
        ),
      )
    }, timeoutMs)
    const finish = (ended: RawAnswer['ended']) => {
      clearTimeout(timer)
      socket.destroy()
      if (answer) resolve({ ...answer, ended })
      else
        reject(
          new Error(
            `connection ${ended} without a complete answer; got ${JSON.stringify(data.toString('latin1').slice(0, 300))}`,
          ),
        )
    }
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk])
      if (answer) return
      // an interim 100 Continue is not the answer
      for (let interim = parseAnswer(data); interim && interim.answer.status < 200; interim = parseAnswer(data))
        data = interim.rest
      const head = /^HEAD /.test(String(request).slice(0, 5))
      const got = head ? headOnly(data) : parseAnswer(data)?.answer
      if (!got) return
      answer = got
      // a closing answer is awaited to its end, to see that it closes cleanly; a kept-alive one is done
      if (!/close/i.test(got.headers.connection ?? '')) finish('open')
    })
    socket.on('end', () => finish('closed'))
    socket.on('error', () => finish('reset'))
    // the server may answer and close before it has read everything sent (a 431 for 64 KB of headers)
    socket.write(request, () => undefined)
  })
}

function headOnly(data: Buffer): Omit<RawAnswer, 'ended'> | undefined {
  const end = data.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const parsed = parseAnswer(Buffer.concat([data.subarray(0, end), Buffer.from('\r\ncontent-length: 0\r\n\r\n')]))
  if (!parsed) return undefined
  const headers = { ...parsed.answer.headers }
  // the real length of a HEAD answer is the one it announced
  const announced = /content-length: *(\d+)/i.exec(data.subarray(0, end).toString('latin1'))
  if (announced) headers['content-length'] = announced[1]
  return { ...parsed.answer, headers, body: '' }
}

// The longest stretch of a client's input an answer may repeat: httpLimits.echoMax, plus the method and a space
// that stand next to an echoed path in the 404's message.
export const ECHO_BOUND = httpLimits.echoMax + 8

const STACK = /\bat .*\.(ts|js|mjs):\d+|\/[\w.-]+\/[\w./-]*\.(ts|js|mjs)\b/

// What an answer breaks of the documented contract (docs/responses.md, "Headers and errors"): none for a good one.
export function contractProblems(
  answer: { status: number; headers: Record<string, string | string[] | number | undefined>; body: string },
  input: string,
  head = false,
): string[] {
  const problems: string[] = []
  const h = answer.headers
  if (answer.status >= 500 && answer.status !== 503) problems.push(`status ${answer.status}`)
  if (h['cache-control'] !== 'no-store') problems.push(`cache-control ${String(h['cache-control'])}`)
  if (h['content-type'] === undefined) problems.push('no content-type')
  if (h['content-length'] === undefined && h['transfer-encoding'] === undefined) problems.push('no length')
  if (!head && h['content-length'] !== undefined && Number(h['content-length']) !== Buffer.byteLength(answer.body))
    problems.push(`content-length ${String(h['content-length'])} for ${Buffer.byteLength(answer.body)} bytes`)
  if (STACK.test(answer.body)) problems.push('a stack trace or a source path in the body')
  if (answer.status < 400 || head) return problems
  if (!/^application\/json; charset=utf-8$/.test(String(h['content-type'])))
    problems.push(`error type ${String(h['content-type'])}`)
  let body: Record<string, unknown>
  try {
    body = JSON.parse(answer.body) as Record<string, unknown>
  } catch {
    return [...problems, `error body is not JSON: ${JSON.stringify(answer.body.slice(0, 80))}`]
  }
  const extra = Object.keys(body).filter((k) => !['statusCode', 'error', 'message', 'known'].includes(k))
  if (extra.length > 0) problems.push(`extra keys ${extra.join(', ')}`)
  if (body.statusCode !== answer.status) problems.push(`statusCode ${String(body.statusCode)}`)
  if (body.error !== STATUS_CODES[answer.status]) problems.push(`error ${String(body.error)}`)
  if (typeof body.message !== 'string' || body.message.length === 0) problems.push('no message')
  const echoed = longestEcho(answer.body, input)
  if (echoed > ECHO_BOUND) problems.push(`echoes ${echoed} characters of the input`)
  return problems
}

// The length of the longest run of the input's characters (at least 16 long) that the body repeats verbatim.
function longestEcho(body: string, input: string): number {
  const step = 16
  let longest = 0
  for (let i = 0; i + step <= input.length; i += 1) {
    if (!body.includes(input.slice(i, i + step))) continue
    let n = step
    while (i + n < input.length && body.includes(input.slice(i, i + n + 1))) n += 1
    longest = Math.max(longest, n)
    i += n - 1
  }
  return longest
}

// A keep-alive client on one raw socket: one request at a time, as real clients send them, never pipelined.
export interface KeepAliveClient {
  // resolves with the answer, or rejects when the connection ends or is reset before it is complete
  get(path: string): Promise<Omit<RawAnswer, 'ended'>>
  // how the connection ended: a clean close (FIN) or a reset
  ended: Promise<'closed' | 'reset'>
  destroy(): void
}

export async function keepAliveClient(port: number): Promise<KeepAliveClient> {
  const socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  let data: Buffer = Buffer.alloc(0)
  let waiting: { resolve: (a: Omit<RawAnswer, 'ended'>) => void; reject: (e: Error) => void } | undefined
  const ended = new Promise<'closed' | 'reset'>((resolve) => {
    socket.on('error', () => resolve('reset'))
    socket.on('close', () => resolve('closed'))
  })
  void ended.then((how) => {
    waiting?.reject(new Error(`connection ${how} before the answer was complete`))
    waiting = undefined
  })
  socket.on('data', (chunk) => {
    data = Buffer.concat([data, chunk])
    const parsed = parseAnswer(data)
    if (!parsed || !waiting) return
    data = parsed.rest
    const w = waiting
    waiting = undefined
    w.resolve(parsed.answer)
  })
  return {
    get: (path) =>
      new Promise((resolve, reject) => {
        if (socket.destroyed) return reject(new Error('connection already closed'))
        waiting = { resolve, reject }
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`)
      }),
    ended,
    destroy: () => socket.destroy(),
  }
}

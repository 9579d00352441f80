import type { FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'
import { cutQuotes } from './checks/lib/quote.js'

// deep enough for any line the service writes; deeper parts are dropped rather than walked
const MAX_DEPTH = 8

// The service's logger. Nothing in a log line may carry a secret: this is the one place every line passes through,
// and it treats each text as the runner treats a result: scrubbed whole, then its provider quotes cut.
export function createLogger(
  level: string,
  scrub: (text: string) => string,
  stream?: NodeJS.WritableStream,
): FastifyBaseLogger {
  const text = (s: string) => cutQuotes(scrub(s))
  // every string of the line on its own, so that a secret at the end of one is seen at an end of text
  const clean = (a: unknown, depth: number, path: object[]): unknown => {
    if (typeof a === 'string') return text(a)
    if (!a || typeof a !== 'object') return a
    if (depth > MAX_DEPTH || path.includes(a)) return '[omitted]'
    const toJSON = (a as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') return clean(toJSON.call(a), depth + 1, path)
    const inner = [...path, a]
    // an Error's message and stack are not enumerable: written out as pino writes them, and scrubbed like the rest
    const source = a instanceof Error ? errorFields(a) : a
    if (Array.isArray(source)) return source.map((v) => clean(v, depth + 1, inner))
    return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, clean(v, depth + 1, inner)]))
  }
  return pino(
    {
      level,
      // errors arrive here already written out by errorFields
      serializers: { err: (e: unknown) => e },
      hooks: {
        logMethod(args, method) {
          const list = args as unknown[]
          // log.error(err) and log.error(err, msg), as pino reads them
          if (list[0] instanceof Error) {
            const err = list[0]
            list[0] = { err }
            if (list.length === 1) list.push(err.message)
          }
          for (let i = 0; i < list.length; i++) list[i] = clean(list[i], 0, [])
          method.apply(this, args)
        },
      },
    },
    // synchronous: the few lines it writes must not be lost when the process exits
    stream ?? pino.destination({ dest: 1, sync: true }),
  )
}

function errorFields(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack }
  for (const [k, v] of Object.entries(err)) if (!(k in out)) out[k] = v
  if (err.cause !== undefined) out.cause = err.cause
  return out
}

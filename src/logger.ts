import type { FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'

// The service's logger. Nothing in a log line may carry a secret: this is the one place every line passes through.
export function createLogger(level: string, scrub: (text: string) => string, stream?: NodeJS.WritableStream): FastifyBaseLogger {
  const clean = (a: unknown) => (typeof a === 'string' ? scrub(a) : a && typeof a === 'object' ? JSON.parse(scrub(JSON.stringify(a))) : a)
  return pino(
    {
      level,
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(clean) as Parameters<typeof method>)
        },
      },
    },
    // synchronous: the few lines it writes must not be lost when the process exits
    stream ?? pino.destination({ dest: 1, sync: true }),
  ) as unknown as FastifyBaseLogger
}

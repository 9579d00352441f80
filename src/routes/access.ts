import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { authTokens, MIN_TOKEN_LENGTH, type Config, type DisclosureLevel } from '../config.js'
import { sendError } from '../http-contract.js'

// What a caller is shown of the results: everything, or statuses and reason codes only.
export type Disclosure = 'full' | 'withheld'

// Who a caller is, from its Authorization header alone.
export type Caller = 'anonymous' | 'authorized' | 'rejected'

export const REALM = 'huntaze-health'

declare module 'fastify' {
  interface FastifyRequest {
    // decided by the onRequest hook on the routes that disclose; until then nothing is disclosed
    disclosure: Disclosure
  }
  interface FastifyContextConfig {
    // the route shows results: it needs a disclosure, and a wrong Authorization header is a 401 there
    discloses?: boolean
  }
}

// Equal-length digests: timingSafeEqual needs them, and neither a token's content nor its length shows in the time.
const digest = (s: string) => createHash('sha256').update(s).digest()

// The scheme is case-insensitive (RFC 9110); the token is one b64token (RFC 6750).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

export class Access {
  private readonly digests: Buffer[]

  constructor(
    readonly level: DisclosureLevel,
    tokens: readonly string[],
  ) {
    this.digests = tokens.map(digest)
  }

  get tokenCount(): number {
    return this.digests.length
  }

  caller(authorization: string | undefined): Caller {
    if (authorization === undefined) return 'anonymous'
    const m = BEARER.exec(authorization)
    if (!m) return 'rejected'
    const d = digest(m[1])
    let ok = false
    // every token is compared, so the time does not tell which one matched
    for (const t of this.digests) ok = timingSafeEqual(d, t) || ok
    return ok ? 'authorized' : 'rejected'
  }

  disclosure(caller: Exclude<Caller, 'rejected'>): Disclosure {
    if (this.level === 'always') return 'full'
    if (this.level === 'never') return 'withheld'
    return caller === 'authorized' ? 'full' : 'withheld'
  }
}

const REJECTION =
  'the Authorization header is not a valid bearer token of HEALTH_AUTH_TOKENS; send Authorization: Bearer <token>, or no Authorization header for statuses and reason codes only'

// Decides once per request, before any route runs, what the caller is shown; a header that is there but wrong is a
// 401 whatever HEALTH_DETAILS says, so a monitor with a stale token notices instead of quietly seeing less.
export function guardDisclosure(app: FastifyInstance, config: Config): Access {
  const access = new Access(config.health.HEALTH_DETAILS, authTokens(config.health.HEALTH_AUTH_TOKENS))
  if (access.level === 'authorized' && access.tokenCount === 0)
    app.health.log.warn(
      `HEALTH_DETAILS=authorized and no HEALTH_AUTH_TOKENS: every caller gets statuses and reason codes only; to see the details set HEALTH_AUTH_TOKENS (tokens of at least ${MIN_TOKEN_LENGTH} characters) and send Authorization: Bearer <token>`,
    )
  app.decorateRequest('disclosure', 'withheld')
  // a callback hook, not an async one: a promise per request is measurable on the routes load balancers poll
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (!req.routeOptions.config?.discloses) return done()
    // the same URL answers differently with another Authorization header: no shared cache may mix them
    reply.header('vary', 'Authorization')
    const caller = access.caller(req.headers.authorization)
    if (caller === 'rejected') {
      reply.header('www-authenticate', `Bearer realm="${REALM}"`)
      sendError(reply, app.health, 401, REJECTION)
      return
    }
    req.disclosure = access.disclosure(caller)
    done()
  })
  return access
}

import type { Config, Finding } from '../config.js'
import { classifyError } from '../engine/classify.js'
import { retryAfterMs } from './lib/http.js'
import { probeFetch } from './lib/transport.js'
import { Reason } from '../reasons.js'
import { stripeKeyMode, stripeKeys } from './lib/rules.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { field, keeps } from './lib/shape.js'

// rules.ts compares publishable keys with the secret key only; without its mode they must still agree
export function stripeRules(config: Config): Finding[] {
  const out = stripeKeys(config)
  const s = config.settings
  const server = stripeKeyMode(s.STRIPE_PUBLISHABLE_KEY)
  const browser = stripeKeyMode(s.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY)
  if (!stripeKeyMode(s.STRIPE_SECRET_KEY) && server && browser && server !== browser) {
    out.push({
      setting: 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY',
      problem: 'invalid',
      severity: 'fail',
      message: `NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY is a ${browser} key but STRIPE_PUBLISHABLE_KEY is a ${server} key: live and test keys must not be mixed`,
    })
  }
  // the balance read never uses the webhook secret, so a passing probe must not soften its format rule
  if (config.findings.get('STRIPE_WEBHOOK_SECRET')?.problem === 'malformed') {
    out.push({
      setting: 'STRIPE_WEBHOOK_SECRET',
      problem: 'invalid',
      severity: 'fail',
      message:
        'STRIPE_WEBHOOK_SECRET has no live check, so its format decides: webhook signatures cannot be verified; copy the signing secret (whsec_...) of the endpoint from Developers > Webhooks',
    })
  }
  return out
}

interface StripeLikeError {
  type?: string
  statusCode?: number
  code?: string
  message?: string
  headers?: Record<string, string | undefined>
  detail?: unknown
}

// A restricted key without Balance read is a valid key, only narrower than the probe: the platform's calls may not
// need that read.
export function narrowKey(err: unknown): Observation | undefined {
  const e = err as StripeLikeError
  if (e?.type !== 'StripePermissionError') return undefined
  const permission = /'(rak_[a-z_]+)'/.exec(e.message ?? '')?.[1]
  return {
    status: 'warn',
    reason: Reason.INSUFFICIENT_SCOPE,
    output: `STRIPE_SECRET_KEY is a valid restricted key but lacks ${permission ? `the ${permission} permission` : 'the permission'} to read the balance (Stripe answered 403), so the account's mode is not proven; grant Balance: Read to that key in the Stripe dashboard`,
    details: { restrictedKey: true },
  }
}

// Stripe's messages quote the key (masked but with its prefix and last digits), so they are never passed on.
export function stripeFailure(err: unknown, api: string): unknown {
  const e = err as StripeLikeError
  switch (e?.type) {
    case 'StripeAuthenticationError':
      return new CheckError(
        Reason.AUTH_FAILED,
        'Stripe answered 401: STRIPE_SECRET_KEY was rejected (revoked, rolled or mistyped); copy a secret key from Developers > API keys in the Stripe dashboard',
      )
    case 'StripeRateLimitError': {
      const wait = retryAfterMs(e.headers?.['retry-after'] ?? null)
      return new CheckError(
        Reason.RATE_LIMITED,
        `Stripe answered 429 (rate limited); next probe in ${Math.ceil(wait / 1000)}s`,
        { retryAfterMs: wait },
      )
    }
    case 'StripeAPIError':
      if (e.statusCode && e.statusCode >= 500)
        return new CheckError(Reason.UPSTREAM_ERROR, `Stripe answered ${e.statusCode}: a server error on their side`)
      return new CheckError(
        Reason.BAD_RESPONSE,
        `Stripe answered something that is not its API${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}; check STRIPE_API_URL`,
      )
    case 'StripeInvalidRequestError':
      return new CheckError(
        Reason.BAD_RESPONSE,
        `Stripe refused the balance read${e.statusCode ? ` (HTTP ${e.statusCode}${e.code ? `, ${e.code}` : ''})` : ''}; check STRIPE_API_URL`,
      )
    case 'StripeConnectionError': {
      // the socket error is in detail: refused, unreachable, reset, or Stripe's own timeout
      const c = classifyError(e.detail)
      if (c.reason === Reason.INTERNAL)
        return new CheckError(Reason.CONNECTION_RESET, `the connection to ${api} failed before an answer`)
      return new CheckError(c.reason, `${c.message} (${api})`)
    }
    default:
      return err
  }
}

export default defineCheck({
  name: 'stripe',
  tier: 'critical',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description: 'The secret key is accepted by a free read (the balance); keys of one mode',
  validate: stripeRules,
  async start(ctx) {
    const { default: Stripe } = await import('stripe')
    const s = ctx.config.settings
    const api = new URL(s.STRIPE_API_URL)
    const protocol = api.protocol === 'http:' ? 'http' : 'https'
    // the SDK takes no AbortSignal, so its fetch client is given one that also follows the probe's signal, over the
    // probes' own transport (no pooled socket, a capped body)
    let probeSignal: AbortSignal | undefined
    const fetchWithSignal: typeof fetch = (input, init) =>
      probeFetch(input, {
        ...init,
        signal: probeSignal ? (init?.signal ? AbortSignal.any([init.signal, probeSignal]) : probeSignal) : init?.signal,
      })
    const stripe = new Stripe(s.STRIPE_SECRET_KEY, {
      host: api.hostname,
      port: api.port || (protocol === 'http' ? 80 : 443),
      protocol,
      maxNetworkRetries: 0,
      timeout: ctx.clientTimeoutMs,
      telemetry: false,
      httpClient: Stripe.createFetchHttpClient(fetchWithSignal),
      appInfo: { name: 'huntaze-health' },
    })
    const secretMode = stripeKeyMode(s.STRIPE_SECRET_KEY)
    return {
      async run(signal) {
        probeSignal = signal
        try {
          const balance = keeps(
            { status: 200, json: await stripe.balance.retrieve() },
            { object: field.is('balance'), available: field.array, livemode: field.boolean },
            { provider: 'Stripe', request: 'GET /v1/balance', setting: 'STRIPE_API_URL' },
          )
          const mode = balance.livemode ? 'live' : 'test'
          const restricted = s.STRIPE_SECRET_KEY.startsWith('rk_')
          const details = { livemode: balance.livemode, restrictedKey: restricted }
          // the account's answer is the authority on the mode; a disagreement means a proxy or a copied key
          if (secretMode && secretMode !== mode) {
            return {
              status: 'warn',
              reason: Reason.MISCONFIGURED,
              output: `STRIPE_SECRET_KEY looks like a ${secretMode} key but Stripe answered in ${mode} mode; check STRIPE_API_URL`,
              details,
            }
          }
          return {
            status: 'pass',
            output: `STRIPE_SECRET_KEY accepted (${mode} mode${restricted ? ', restricted key' : ''})`,
            details,
          }
        } catch (err) {
          const narrow = narrowKey(err)
          if (narrow) return narrow
          throw stripeFailure(err, api.host)
        } finally {
          probeSignal = undefined
        }
      },
    }
  },
})

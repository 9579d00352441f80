import { Reason } from '../../reasons.js'
import { CheckError } from '../types.js'

// One field of an answer as the provider's documentation promises it, and how the promise reads in an output.
export interface Rule<T = unknown> {
  test(value: unknown): value is T
  says: string
}

export const field = {
  array: { test: (v: unknown): v is unknown[] => Array.isArray(v), says: 'an array' } as Rule<unknown[]>,
  string: {
    test: (v: unknown): v is string => typeof v === 'string' && v.length > 0,
    says: 'a string',
  } as Rule<string>,
  boolean: { test: (v: unknown): v is boolean => typeof v === 'boolean', says: 'true or false' } as Rule<boolean>,
  object: {
    test: (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v),
    says: 'an object',
  } as Rule<Record<string, unknown>>,
  is: <V extends string | number | boolean>(value: V): Rule<V> => ({
    test: (v): v is V => v === value,
    says: JSON.stringify(value),
  }),
}

export type Shape = Readonly<Record<string, Rule>>

// The body as the shape promises it: the promised fields typed, the rest unknown.
export type Shaped<S extends Shape> = { [K in keyof S]: S[K] extends Rule<infer T> ? T : never } & Record<
  string,
  unknown
>

export interface Answered {
  status: number
  json: unknown
  text?: string
}

export interface Asked {
  // who answered, as the output names it: "Stripe", "Azure OpenAI"
  provider: string
  // the request whose documented answer this is: "GET /v1/balance"
  request: string
  // the setting that points at the provider, which is what to check when something else answered
  setting: string
}

// The promised fields that are missing or of another kind; empty when the body matches the shape.
export function broken(body: unknown, shape: Shape): string[] {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  return Object.entries(shape)
    .filter(([name, rule]) => !rule.test(fields[name]))
    .map(([name, rule]) => `${name}: ${rule.says}`)
}

// What came instead, in words that never quote the body (a proxy's page may echo the request's headers).
function instead(answer: Answered): string {
  const text = (answer.text ?? '').trimStart()
  if (answer.json === undefined) {
    if (!text) return 'an empty body'
    return text.startsWith('<') ? 'an HTML page' : 'a body that is not JSON'
  }
  if (typeof answer.json !== 'object' || answer.json === null || Array.isArray(answer.json))
    return 'JSON that is not an object'
  const keys = Object.keys(answer.json)
  return keys.length === 0 ? 'an empty JSON object' : 'JSON without those fields'
}

// A success only passes with what the provider documents in it: anything else (a proxy's page, an emulator,
// another API on that address) is BAD_RESPONSE naming the setting to check.
export function keeps<S extends Shape>(answer: Answered, shape: S, asked: Asked): Shaped<S> {
  const missing = broken(answer.json, shape)
  if (missing.length === 0) return answer.json as Shaped<S>
  throw new CheckError(
    Reason.BAD_RESPONSE,
    `${asked.provider} answered ${answer.status} to ${asked.request} with ${instead(answer)}, not what its API documents (${missing.join(', ')}); check that ${asked.setting} points at ${asked.provider}`,
  )
}

import type { Test } from 'tap'
import { Buffer } from 'node:buffer'
import { randomBytes } from 'node:crypto'

// A secret value and the substrings that would give it away if they appeared anywhere.
export interface Secret {
  value: string
  tells: string[]
  // names the secret in assertion messages
  label?: string
}

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'

// Random letters after the public prefix, so that an echo of the secret, whole or masked (start or end), is found.
export function sentinel(prefix: string, length = 40, alphabet = letters): Secret {
  const rand = Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('')
  const value = `${prefix}${rand}`
  return { value, tells: [value, rand.slice(0, 6), rand.slice(-6)] }
}

// A fixed secret: the whole value and its first characters give it away.
export function secret(value: string, label?: string, prefixLength = 10): Secret {
  return { value, tells: [value, value.slice(0, prefixLength)], label }
}

// The user of the Basic auth header whose base64 gives a secret away (see echoed()).
export const BASIC_USER = 'echo-user'

const base64 = (s: string) => Buffer.from(s).toString('base64').replace(/=+$/, '')

// The base64 characters only the secret's bytes decide, at the three alignments it can have in a longer string.
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value)
  return [0, 1, 2].map((pad) =>
    Buffer.concat([Buffer.alloc(pad), bytes])
      .toString('base64')
      .slice(Math.ceil((pad * 8) / 6), Math.floor(((pad + bytes.length) * 8) / 6)),
  )
}

// Every part of a secret that gives it away: the whole value, its first and last 4 to 7 characters (with edges; a
// value whose ends are not distinctive would match ordinary text there), every run of 8 characters, its URL and
// form encodings, and its base64, alone, in Basic auth after BASIC_USER, or anywhere inside a longer base64 string.
export function echoed(value: string, label?: string, opts: { edges?: boolean } = {}): Secret {
  const tells = new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)])
  if (opts.edges ?? true)
    for (let k = 4; k < 8 && k < value.length; k++) tells.add(value.slice(0, k)).add(value.slice(-k))
  for (let i = 0; i + 8 <= value.length; i++) tells.add(value.slice(i, i + 8))
  tells.add(base64(value)).add(base64(value).replace(/\+/g, '-').replace(/\//g, '_'))
  tells.add(base64(`${BASIC_USER}:${value}`))
  for (const core of base64Cores(value)) tells.add(core)
  return { value, tells: [...tells], label }
}

// The tells of these secrets that appear in the text (none, when nothing leaked).
export function tellsIn(secrets: readonly Secret[], text: string): string[] {
  return secrets.flatMap((s) => s.tells).filter((tell) => text.includes(tell))
}

// Neither a secret nor any part of it that gives it away, in any of the texts: one assertion per secret and text,
// which lists the tells found.
export function noSecrets(t: Test, secrets: readonly (Secret | string)[], texts: Record<string, string>): void {
  for (const s of secrets.map((s) => (typeof s === 'string' ? secret(s) : s))) {
    for (const [where, text] of Object.entries(texts)) {
      t.same(
        s.tells.filter((tell) => text.includes(tell)),
        [],
        `${where} contains no part of ${s.label ?? 'a secret'}`,
      )
    }
  }
}

import type { Test } from 'tap'
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

// The tells of these secrets that appear in the text (none, when nothing leaked).
export function tellsIn(secrets: readonly Secret[], text: string): string[] {
  return secrets.flatMap((s) => s.tells).filter((tell) => text.includes(tell))
}

// Neither a secret nor any part of it that gives it away, in any of the texts: one assertion per tell and text.
export function noSecrets(t: Test, secrets: readonly (Secret | string)[], texts: Record<string, string>): void {
  for (const s of secrets.map((s) => (typeof s === 'string' ? secret(s) : s))) {
    for (const [where, text] of Object.entries(texts)) {
      for (const tell of s.tells) t.notOk(text.includes(tell), `${where} contains no part of ${s.label ?? 'a secret'}`)
    }
  }
}

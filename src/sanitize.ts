import { Buffer } from 'node:buffer'

// Scrubs secrets out of any text that leaves the process: each secret whole, encoded, and by any part of it that
// gives it away (a run of it, a cut or masked quote, its base64); then the credential shapes of secrets it was not told.

const REDACTED = '[redacted]'

// Shorter secrets are scrubbed whole only: their fragments (4 or 5 characters) would match ordinary text.
export const FRAGMENT_MIN_LENGTH = 6
// any run of this many characters of a secret gives it away, wherever it stands
const GRAM = 8
// a shorter head or tail gives it away next to a cut or a mask ("abcd...", "****wxyz") or at an end of the text
const EDGE = 4

// a key's public prefix says which kind of key it is, not which key: outputs and format rules name it
const publicPrefix = /^(?:(?:sk|rk|pk)_(?:live|test)_|whsec_|re_|sk-(?:proj-|svcacct-|admin-)?|AKIA|ASIA)/
// a run of letters of one case or of digits is a word or a number that outputs use too ("password", "PASSWORD", an
// account id): never a fragment on its own
const word = /^(?:[a-z]+|[A-Z]+|[0-9]+)$/
// a URL's host, port and database are named in outputs; its password is a secret of its own
const url = /^[a-z][a-z0-9+.-]*:\/\//i
// a cut or a mask; private-use characters are the edges of a quote (src/checks/lib/quote.ts)
const cutOrMask = /\.{3}|\u2026|\*{3,}|[\uE000-\uF8FF]/g
const quoteEdge = /^[\uE000-\uF8FF]$/

const credentialShapes = [
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9*]+/g,
  /\bwhsec_[A-Za-z0-9+/=*]+/g,
  /\bre_[A-Za-z0-9_*]{6,}/g,
  /\bsk-[A-Za-z0-9_*-]{6,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{12,}/g,
  /(\/\/[^/\s:@]*:)[^@\s/]+@/g,
]

// What the secrets look like in text, computed once: the sanitizer runs on every result and log line.
interface Patterns {
  whole: string[]
  grams: Set<string>
  // runs that are words or numbers: part of a fragment only next to a run that is not
  weak: Set<string>
  // a bit per hash of the grams, so that most positions of a text cost a multiplication, not a lookup
  filter: Uint32Array
  heads: Set<string>
  tails: Set<string>
}

const FILTER_BITS = 20
const B = 31
// B to the power GRAM - 1, to take the leaving character out of a rolling hash
const B_TOP = Array.from({ length: GRAM - 1 }).reduce<number>((p) => Math.imul(p, B), 1)
const slot = (h: number) => h >>> (32 - FILTER_BITS)

function hashAt(s: string, at: number): number {
  let h = 0
  for (let j = 0; j < GRAM; j++) h = (Math.imul(h, B) + s.charCodeAt(at + j)) | 0
  return h
}

// As sent in a URL or a form body, and as written inside a JSON string.
function encodings(s: string): string[] {
  return [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2), JSON.stringify(s).slice(1, -1)]
}

// The base64 characters that the secret's bytes alone decide, at each of the three byte alignments it can have
// inside a longer string (Basic auth's "user:secret"), in the standard and the URL alphabet.
function base64Cores(s: string): string[] {
  const bytes = Buffer.from(s)
  const out: string[] = []
  for (const pad of [0, 1, 2]) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64')
    const core = b64.slice(Math.ceil((pad * 8) / 6), Math.floor(((pad + bytes.length) * 8) / 6))
    out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return out
}

function urlPassword(s: string): string[] {
  if (!url.test(s)) return []
  try {
    const password = decodeURIComponent(new URL(s).password)
    return password ? [password] : []
  } catch {
    return []
  }
}

function patternsOf(secrets: readonly string[]): Patterns {
  const whole = new Set<string>()
  const grams = new Set<string>()
  const weak = new Set<string>()
  const heads = new Set<string>()
  const tails = new Set<string>()
  for (const secret of new Set(secrets.flatMap((s) => [s, ...urlPassword(s)]))) {
    if (!secret) continue
    const own = secret.replace(publicPrefix, '')
    if (own.length < FRAGMENT_MIN_LENGTH || url.test(secret)) {
      for (const form of encodings(secret)) whole.add(form)
      continue
    }
    // the public prefix with the secret's own part: found whole, so that no prefix is left behind
    if (own !== secret) for (const form of encodings(secret)) whole.add(form)
    for (const form of [...encodings(own), ...base64Cores(own)]) {
      for (let k = EDGE; k < GRAM && k < form.length; k++) {
        heads.add(form.slice(0, k))
        tails.add(form.slice(-k))
      }
      let covered = form.length >= GRAM
      for (let i = 0; i + GRAM <= form.length; i++) {
        const gram = form.slice(i, i + GRAM)
        if (word.test(gram)) {
          covered = false
          weak.add(gram)
        } else grams.add(gram)
      }
      // a form its runs cover is found by them: searching for it whole as well would only cost time
      if (!covered) whole.add(form)
    }
  }
  const filter = new Uint32Array(1 << (FILTER_BITS - 5))
  for (const gram of grams) {
    const at = slot(hashAt(gram, 0))
    filter[at >>> 5] |= 1 << (at & 31)
  }
  // longest first, so that a secret containing another is found whole
  return { whole: [...whole].filter(Boolean).sort((a, b) => b.length - a.length), grams, weak, filter, heads, tails }
}

// The runs of GRAM characters of a secret in the text, with a rolling hash to skip the positions that cannot be one.
function runsOf(text: string, p: Patterns): [number, number][] {
  const n = text.length - GRAM + 1
  const hit = new Uint8Array(n)
  let any = false
  let h = hashAt(text, 0)
  for (let i = 0; i < n; i++) {
    const at = slot(h)
    if (p.filter[at >>> 5] & (1 << (at & 31)) && p.grams.has(text.substr(i, GRAM))) {
      hit[i] = 1
      any = true
    }
    if (i + 1 < n) h = (Math.imul(h - Math.imul(text.charCodeAt(i), B_TOP), B) + text.charCodeAt(i + GRAM)) | 0
  }
  if (!any) return []
  // a word or a number inside a fragment is part of it: extend each run over them, both ways
  for (let i = 1; i < n; i++) if (!hit[i] && hit[i - 1] && p.weak.has(text.substr(i, GRAM))) hit[i] = 1
  for (let i = n - 2; i >= 0; i--) if (!hit[i] && hit[i + 1] && p.weak.has(text.substr(i, GRAM))) hit[i] = 1
  const runs: [number, number][] = []
  for (let i = 0; i < n; i++) if (hit[i]) runs.push([i, i + GRAM])
  return runs
}

// Where the secrets stand in the text, as [start, end) ranges, unordered and overlapping.
function rangesOf(text: string, p: Patterns): [number, number][] {
  const ranges: [number, number][] = []
  for (const form of p.whole)
    for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) ranges.push([i, i + form.length])
  if (p.grams.size > 0 && text.length >= GRAM) ranges.push(...runsOf(text, p))
  // an explicit cut or mask makes any head or tail a tell; a mere end of text only one that is not a word
  const edge = (start: number, end: number, set: Set<string>, explicit: boolean) => {
    if (start < 0 || end > text.length) return
    const s = text.slice(start, end)
    if (set.has(s) && (explicit || !word.test(s))) ranges.push([start, end])
  }
  if (p.heads.size > 0) {
    for (const m of text.matchAll(cutOrMask)) {
      const at = m.index
      const after = at + m[0].length
      const explicit = !quoteEdge.test(m[0])
      for (let k = EDGE; k < GRAM; k++) {
        edge(at - k, at, p.heads, explicit)
        edge(after, after + k, p.tails, explicit)
      }
    }
    for (let k = EDGE; k < GRAM; k++) {
      edge(text.length - k, text.length, p.heads, false)
      edge(0, k, p.tails, false)
    }
  }
  return ranges
}

function redact(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text
  ranges.sort((a, b) => a[0] - b[0])
  let out = ''
  let [start, end] = ranges[0]
  let pos = 0
  for (const [s, e] of ranges) {
    if (s <= end) {
      end = Math.max(end, e)
      continue
    }
    out += text.slice(pos, start) + REDACTED
    pos = end
    ;[start, end] = [s, e]
  }
  return out + text.slice(pos, start) + REDACTED + text.slice(end)
}

export function createSanitizer(secrets: readonly string[]): (text: string) => string {
  const patterns = patternsOf(secrets)
  return (text: string) => {
    let out = redact(text, rangesOf(text, patterns))
    for (const re of credentialShapes)
      out = out.replace(re, (m, g1) => (typeof g1 === 'string' ? `${g1}[redacted]@` : '[redacted]'))
    return out
  }
}

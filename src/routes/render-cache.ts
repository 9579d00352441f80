// Rendered answers, kept as bytes while the results behind them hold: the hot path of every probe route.

import type { Disclosure } from './access.js'

// html: the status page
export type View = 'json' | 'text' | 'html'

// One rendering of an answer: its view and what its caller may see; bytes of one form never answer another.
export interface Form {
  view: View
  disclosure: Disclosure
}

const slot = (key: string, form: Form) => `${form.view}:${form.disclosure}:${key}`

export interface Rendered {
  // the runner's version the bytes were rendered from
  version: number
  code: number
  type: string
  // until when the bytes hold (the runner's validUntil of their checks; the text view: at most the second it shows)
  validUntil: number
  body: string
}

export class RenderCache {
  private readonly entries = new Map<string, Rendered>()
  // answers rendered so far: what a caller can watch to see that bytes were reused
  renders = 0
  // answers sent from bytes rendered earlier: with renders, what /metrics reports of the cache
  hits = 0

  // a bound on the keys a caller can make (every exclude combination is one): the oldest is dropped past it
  constructor(readonly capacity = 256) {}

  get size(): number {
    return this.entries.size
  }

  // The bytes for this answer, while the runner is at `version`, nothing expired and (when given) the code is unchanged.
  lookup(key: string, form: Form, version: number, now: number, code?: number): Rendered | undefined {
    const hit = this.entries.get(slot(key, form))
    if (!hit || hit.version !== version || now >= hit.validUntil || (code !== undefined && hit.code !== code))
      return undefined
    this.hits++
    return hit
  }

  store(key: string, form: Form, rendered: Omit<Rendered, 'validUntil'>, now: number, holdsUntil: number): Rendered {
    // the text view and the status page show ages in whole seconds, so they are rendered again each second
    const validUntil = form.view !== 'json' ? Math.min(Math.floor(now / 1000 + 1) * 1000, holdsUntil) : holdsUntil
    const entry = { ...rendered, validUntil }
    this.renders++
    const k = slot(key, form)
    this.entries.delete(k)
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(k, entry)
    return entry
  }

  clear(): void {
    this.entries.clear()
  }
}

// Provider text quoted into a result: kept whole until the secrets are scrubbed out of it, then cut to its length.

// Private-use characters never occur in provider text once quote() has taken them out: the close marker, and an open
// marker whose code point carries the quote's maximum length (so no digits sit next to the text).
const CLOSE = '\uE000'
const OPEN_BASE = 0xe100
const MAX_LENGTH = 0xf8ff - OPEN_BASE
const markers = /[\uE000-\uF8FF]/g
const anyMarker = /[\uE000-\uF8FF]/
const quoted = /([\uE100-\uF8FF])([^\uE000-\uF8FF]*)\uE000/g
// what a quote keeps beyond its maximum, so that a huge answer costs the scrubber little: longer than any secret,
// and the scrubber treats the close marker as a cut, so a secret cut here is still recognised by its first characters
const SLACK = 4096

// Marks text to be shown with at most max characters; cutQuotes() cuts it after the boundary has scrubbed it.
export function quote(text: string, max: number): string {
  const limit = Math.max(1, Math.min(Math.floor(max), MAX_LENGTH))
  const kept = text.length > limit + SLACK ? text.slice(0, limit + SLACK) : text
  return `${String.fromCharCode(OPEN_BASE + limit)}${kept.replace(markers, '')}${CLOSE}`
}

// Cuts every quote to its maximum and takes the markers out; run only on text already scrubbed of secrets.
export function cutQuotes(text: string): string {
  if (!anyMarker.test(text)) return text
  return text
    .replace(quoted, (_, open: string, body: string) => {
      const max = open.charCodeAt(0) - OPEN_BASE
      return body.length > max ? `${body.slice(0, max)}...` : body
    })
    .replace(markers, '')
}

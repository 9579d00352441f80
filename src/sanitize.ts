// Scrubs secret values (and obvious credential shapes) out of any text that leaves the process.
const credentialShapes = [
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9*]+/g,
  /\bwhsec_[A-Za-z0-9+/=*]+/g,
  /\bre_[A-Za-z0-9_*]{6,}/g,
  /\bsk-[A-Za-z0-9_*-]{6,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{12,}/g,
  /(\/\/[^/\s:@]*:)[^@\s/]+@/g,
]

export function createSanitizer(secrets: readonly string[]): (text: string) => string {
  // longest first, so a secret that contains another is removed whole
  const sorted = [...new Set(secrets)].sort((a, b) => b.length - a.length)
  return (text: string) => {
    let out = text
    for (const s of sorted) if (out.includes(s)) out = out.split(s).join('[redacted]')
    for (const re of credentialShapes)
      out = out.replace(re, (m, g1) => (typeof g1 === 'string' ? `${g1}[redacted]@` : '[redacted]'))
    return out
  }
}

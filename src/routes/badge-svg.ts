import type { Look } from './looks.js'

// A flat badge in the shields.io style: a grey label on the left, the status in its colour on the right.

// Verdana's advance widths in 1/1000 em for the printable ASCII characters, space (0x20) to tilde (0x7e): the font
// the badge names first, so its text fits the boxes measured for it.
const VERDANA = [
  351, 393, 458, 818, 635, 1076, 726, 268, 454, 454, 635, 818, 363, 454, 363, 454, 635, 635, 635, 635, 635, 635, 635,
  635, 635, 635, 454, 454, 818, 818, 818, 545, 1000, 683, 685, 698, 770, 632, 574, 775, 751, 420, 454, 692, 556, 842,
  748, 787, 603, 787, 695, 683, 616, 731, 683, 988, 685, 615, 685, 454, 454, 454, 818, 635, 635, 600, 623, 520, 623,
  595, 351, 623, 632, 274, 344, 591, 274, 972, 632, 606, 623, 623, 426, 520, 394, 632, 591, 818, 591, 591, 525, 634,
  454, 634, 818,
]
// a character outside the table is counted as wide as the widest letter, so text never overflows its box
const WIDEST = 988
const FONT_PX = 11
const PADDING_PX = 6

// The width of a text in Verdana 11px, rounded up to a whole pixel.
export function textWidth(text: string): number {
  let units = 0
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    units += code >= 0x20 && code <= 0x7e ? VERDANA[code - 0x20] : WIDEST
  }
  return Math.ceil((units * FONT_PX) / 1000)
}

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)

// The text twice: a dark copy one pixel lower is the shadow shields badges have.
function text(x: number, width: number, value: string): string {
  return (
    `<text x="${x}" y="15" fill="#010101" fill-opacity=".3" textLength="${width}" lengthAdjust="spacingAndGlyphs">${value}</text>` +
    `<text x="${x}" y="14" textLength="${width}" lengthAdjust="spacingAndGlyphs">${value}</text>`
  )
}

export function renderBadge(label: string, look: Look): string {
  const labelText = textWidth(label)
  const statusText = textWidth(look.word)
  const left = labelText + 2 * PADDING_PX
  const right = statusText + 2 * PADDING_PX
  const width = left + right
  const title = escapeXml(`${label}: ${look.word}`)
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/>` +
    `<rect x="${left}" width="${right}" height="20" fill="${look.colour}"/>` +
    `<rect width="${width}" height="20" fill="url(#s)"/></g>` +
    `<g fill="#fff" text-anchor="start" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="${FONT_PX}">` +
    text(PADDING_PX, labelText, escapeXml(label)) +
    text(left + PADDING_PX, statusText, escapeXml(look.word)) +
    `</g></svg>`
  )
}

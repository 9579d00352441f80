import t, { type Test } from 'tap'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { CheckError, type CheckDefinition, type Observation } from '../../src/checks/types.js'
import { Reason, type ReasonCode } from '../../src/reasons.js'
import { looks } from '../../src/routes/looks.js'
import { textWidth } from '../../src/routes/badge-svg.js'
import { appWith } from '../support/helpers.js'
import { synthetic } from '../support/checks.js'

// Badges parsed as the XML they must be: well formed, labelled for screen readers, the status in words and colour.

interface Svg {
  svg: {
    '@_width': string
    '@_role': string
    '@_aria-label': string
    title: string
    g: { rect: { '@_width': string; '@_fill': string }[] | { '@_fill': string }; text?: { '#text': string }[] }[]
  }
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' })

function parsed(t: Test, body: string): Svg['svg'] {
  t.equal(XMLValidator.validate(body), true, 'well-formed XML')
  return (parser.parse(body) as Svg).svg
}

const fails = (reason: ReasonCode) => async (): Promise<Observation> => {
  throw new CheckError(reason, 'it failed')
}
const defs: CheckDefinition[] = [
  synthetic('up', async () => ({})).def,
  synthetic('slow', async () => ({ status: 'warn', output: 'slow' }), { tier: 'important' }).def,
  synthetic('down', fails(Reason.REFUSED), { tier: 'optional' }).def,
  synthetic('unset', undefined, { tier: 'optional', live: false, settings: ['STRIPE_SECRET_KEY'] }).def,
]

t.test('a check badge says its status in words and colour, with a title and an accessible name', async (t) => {
  const { app } = await appWith({}, { checks: defs })
  t.teardown(() => app.close())
  for (const [name, status] of [
    ['up', 'pass'],
    ['slow', 'warn'],
    ['down', 'fail'],
  ] as const) {
    const res = await app.inject(`/badge/${name}.svg`)
    t.equal(res.statusCode, 200, `${name}: 200 whatever the status`)
    t.match(res.headers['content-type'], /^image\/svg\+xml/)
    t.equal(res.headers['cache-control'], 'no-store')
    const svg = parsed(t, res.body)
    const word = looks[status].word
    t.equal(svg.title, `${name}: ${word}`)
    t.equal(svg['@_role'], 'img')
    t.equal(svg['@_aria-label'], `${name}: ${word}`)
    const [shapes, texts] = svg.g
    const rects = shapes.rect as { '@_width': string; '@_fill': string }[]
    t.equal(rects[0]['@_fill'], '#555', `${name}: grey label`)
    t.equal(rects[1]['@_fill'], looks[status].colour, `${name}: the colour of ${status}`)
    t.equal(Number(rects[0]['@_width']) + Number(rects[1]['@_width']), Number(svg['@_width']), 'the halves fill it')
    t.same(
      texts.text!.map((x) => x['#text']),
      [name, name, word, word],
      `${name}: label and status, each with its shadow`,
    )
  }
})

t.test('the whole platform badge is labelled HEALTH_SERVICE_ID and follows the tiers', async (t) => {
  const critical = synthetic('core', fails(Reason.TIMEOUT)).def
  for (const [checks, word] of [
    [defs, 'warning'],
    [[...defs, critical], 'failing'],
    [[defs[0]], 'passing'],
  ] as const) {
    const { app } = await appWith({ HEALTH_SERVICE_ID: 'shop & co <eu>' }, { checks: [...checks] })
    const svg = parsed(t, (await app.inject('/badge.svg')).body)
    t.equal(svg.title, `shop & co <eu>: ${word}`, `${checks.length} checks: ${word}, the label escaped`)
    await app.close()
  }
})

t.test('badges read through the cache: polling them probes no more than /health does', async (t) => {
  const up = synthetic('up', async () => ({}))
  const { app } = await appWith({}, { checks: [up.def] })
  t.teardown(() => app.close())
  for (let i = 0; i < 5; i++) {
    t.equal((await app.inject('/badge/up.svg')).statusCode, 200)
    t.equal((await app.inject('/badge.svg')).statusCode, 200)
  }
  t.equal(up.stats.runs, 1, 'one probe for ten badges within the cache lifetime')
})

t.test('a skipped check has a skipped badge; an unknown name is the 404 of /health/{service}', async (t) => {
  const { app } = await appWith({}, { checks: defs })
  t.teardown(() => app.close())
  const svg = parsed(t, (await app.inject('/badge/unset.svg')).body)
  t.equal(svg.title, 'unset: skipped')
  for (const url of ['/badge/nope.svg', '/badge/.svg', `/badge/${'<x>'.repeat(10)}.svg`]) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 404, url)
    t.match(res.headers['content-type'], /^application\/json/)
    t.same(res.json().known, ['up', 'slow', 'down', 'unset'], `${url}: the known names`)
  }
})

t.test('text widths come from the Verdana table; an unknown character counts as the widest', async (t) => {
  t.equal(textWidth(''), 0)
  t.ok(textWidth('passing') < textWidth('warning'), 'w is wider than p')
  t.equal(textWidth('iiii'), Math.ceil((4 * 274 * 11) / 1000))
  t.equal(textWidth('é'), textWidth('W'), 'outside the table: as wide as W')
})

import t from 'tap'
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { bodyFor, MAX_OUTPUT_CHARS, slackText, statusEvent, type EventContext } from '../../src/notify/bodies.js'
import { Reason } from '../../src/reasons.js'
import { change } from '../support/notify.js'
import { EPOCH_MS } from '../support/clock.js'

const ctx: EventContext = { serviceId: 'huntaze-health', publicUrl: 'https://health.example.com/', withOutput: true }
const redisDown = change('redis', 'pass', 'fail', {
  tier: 'optional',
  reason: Reason.REFUSED,
  output: 'connection refused 127.0.0.1:6390',
  since: EPOCH_MS - 12_000,
  at: EPOCH_MS,
})

t.test('the JSON event carries every field, times in ISO, and a link to the check', async (t) => {
  t.same(JSON.parse(bodyFor(redisDown, ctx, false)), {
    version: 1,
    type: 'check.status_changed',
    serviceId: 'huntaze-health',
    check: 'redis',
    tier: 'optional',
    from: 'pass',
    to: 'fail',
    reason: 'REFUSED',
    output: 'connection refused 127.0.0.1:6390',
    since: '2025-01-15T11:59:48.000Z',
    at: '2025-01-15T12:00:00.000Z',
    link: 'https://health.example.com/health/redis',
  })
})

t.test('without HEALTH_PUBLIC_URL the link is the path; a recovery has no reason or output', async (t) => {
  const e = statusEvent(change('postgres', 'fail', 'pass'), { ...ctx, publicUrl: '' })
  t.equal(e.link, '/health/postgres')
  t.same([e.reason, e.output, e.from, e.to], [null, null, 'fail', 'pass'])
})

t.test('HEALTH_DETAILS=never: no output leaves the service, the reason code does', async (t) => {
  const e = statusEvent(redisDown, { ...ctx, withOutput: false })
  t.same([e.reason, e.output], ['REFUSED', null])
  t.notMatch(slackText(e), /127\.0\.0\.1/)
})

t.test('a long output is cut, never through a surrogate pair', async (t) => {
  const long = statusEvent({ ...redisDown, output: 'x'.repeat(2000) }, ctx).output!
  t.equal(long, `${'x'.repeat(MAX_OUTPUT_CHARS)}...`)
  const emoji = `${'x'.repeat(MAX_OUTPUT_CHARS - 1)}\u{1F534}tail`
  const cut = statusEvent({ ...redisDown, output: emoji }, ctx).output!
  t.equal(cut, `${'x'.repeat(MAX_OUTPUT_CHARS - 1)}...`, 'the pair is left out whole')
  t.equal(statusEvent({ ...redisDown, output: 'x'.repeat(MAX_OUTPUT_CHARS) }, ctx).output!.length, MAX_OUTPUT_CHARS)
})

t.test('Slack: one readable line with what, since when, why and a link', async (t) => {
  t.same(JSON.parse(bodyFor(redisDown, ctx, true)), {
    text:
      ':red_circle: huntaze-health: *redis* (optional) is fail (was pass) since 2025-01-15T11:59:48.000Z: ' +
      'REFUSED connection refused 127.0.0.1:6390 <https://health.example.com/health/redis|details>',
  })
  const first = slackText(
    statusEvent(change('aws', null, 'fail', { reason: Reason.TIMEOUT }), { ...ctx, publicUrl: '' }),
  )
  t.equal(
    first,
    ':red_circle: huntaze-health: *aws* (critical) is fail since 2025-01-15T12:00:00.000Z: TIMEOUT (/health/aws)',
  )
  t.match(
    slackText(statusEvent(change('s3', 'fail', 'pass'), ctx)),
    /^:large_green_circle: .* is pass \(was fail\) since /,
  )
  t.match(slackText(statusEvent(change('s3', 'pass', 'warn'), ctx)), /^:large_orange_circle: /)
})

t.test('Slack: provider text cannot open a link or a mention, and stays on one line', async (t) => {
  const text = slackText(
    statusEvent({ ...redisDown, output: 'bad <!channel> & <https://evil.example|click>\nsecond line' }, ctx),
  )
  t.match(text, 'bad &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; second line')
  t.notMatch(text, '\n')
  t.equal(text.match(/</g)?.length, 1, 'the only control sequence is our own link')
})

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
const page = read('docs/notifications.md')
const block = (name: string): unknown => {
  const m = new RegExp(`<!-- ${name} -->\n\`\`\`json\n([\\s\\S]*?)\n\`\`\``).exec(page)
  if (!m) throw new Error(`no ${name} block`)
  return JSON.parse(m[1])
}

t.test('docs/notifications.md shows the bodies the code writes, and its schema holds every event', async (t) => {
  const documented = { ...ctx, publicUrl: 'https://health.example.com' }
  t.same(block('example:notification-json'), JSON.parse(bodyFor(redisDown, documented, false)))
  t.same(block('example:notification-slack'), JSON.parse(bodyFor(redisDown, documented, true)))
  const ajv = new Ajv2020({ allErrors: true })
  ;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
  const valid = ajv.compile(block('schema:notification') as object)
  for (const c of [
    redisDown,
    change('aws', null, 'fail', { reason: Reason.TIMEOUT }),
    change('stripe', 'fail', 'pass'),
    { ...redisDown, output: '\u{1F534}'.repeat(2000) },
  ]) {
    const event = JSON.parse(bodyFor(c, ctx, false))
    t.ok(valid(event), `${c.name} ${c.from}->${c.to}: ${ajv.errorsText(valid.errors)}`)
    t.same(
      Object.keys(event).sort(),
      Object.keys(block('example:notification-json') as object).sort(),
      'every field, always',
    )
  }
  t.notOk(valid({ ...statusEvent(redisDown, ctx), to: 'down' }), 'the schema refuses what is not an event')
})

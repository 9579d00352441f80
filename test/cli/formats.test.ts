import t from 'tap'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import type { CheckResult } from '../../src/engine/result.js'
import { closest, editDistance } from '../../src/cli/closest.js'
import { renderGithub } from '../../src/cli/formats/github.js'
import { renderJunit } from '../../src/cli/formats/junit.js'
import { Progress } from '../../src/cli/progress.js'
import { settingNames } from '../../src/config.js'
import { EPOCH_MS } from '../support/clock.js'

const result = (over: Partial<CheckResult>): CheckResult => ({
  name: 'postgres',
  tier: 'critical',
  componentType: 'datastore',
  status: 'pass',
  observedStatus: over.status ?? 'pass',
  consecutive: 1,
  since: EPOCH_MS,
  observedAt: EPOCH_MS,
  durationMs: 12.5,
  expiresAt: EPOCH_MS + 5000,
  liveCheck: true,
  findings: [],
  measurements: [],
  ...over,
})

// what a provider may say: markup, quotes, separators, line breaks, a control character and a percent sign
const nasty = 'bad <answer> & "quoted" \'it\': a,b 100%\r\nnext line\x07 end'

t.test('JUnit escapes every text and drops what XML cannot carry', async (t) => {
  const xml = renderJunit(
    [
      result({ status: 'fail', reason: 'BAD_RESPONSE', output: nasty }),
      result({ name: 'redis', tier: 'optional', status: 'warn', output: nasty }),
    ],
    false,
  )
  t.equal(XMLValidator.validate(xml), true)
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    htmlEntities: true,
    isArray: (n) => n === 'testsuite',
  })
  const parsed = doc.parse(xml)
  const [critical, optional] = parsed.testsuites.testsuite
  const clean = nasty.replace('\x07', '')
  // an attribute keeps its line break as character references; XML reads CRLF in text as LF
  t.equal(critical.testcase.failure.message, `BAD_RESPONSE: ${clean}`)
  t.equal(critical.testcase.failure['#text'], clean.replace('\r\n', '\n'))
  t.equal(critical.testcase.time, '0.013')
  t.equal(optional.testcase['system-out'], `warn: ${clean.replace('\r\n', '\n')}`)
  t.equal(parsed.testsuites.failures, '1')
  t.notMatch(xml, '\x07')
})

t.test('GitHub commands escape the message and the title as the runner reads them', async (t) => {
  const out = renderGithub([result({ name: 'a:b,c', status: 'fail', reason: 'BAD_RESPONSE', output: nasty })], false)
  const [error, notice] = out.trimEnd().split('\n')
  t.equal(
    error,
    '::error title=huntaze-health a%3Ab%2Cc (critical)::fail: BAD_RESPONSE bad <answer> & "quoted" \'it\': a,b 100%25%0D%0Anext line\x07 end',
  )
  t.equal(notice, '::notice title=huntaze-health::1 failed, 0 warnings, 0 passed, 0 skipped')
  const strict = renderGithub([result({ status: 'warn', output: 'slow' })], true)
  t.match(
    strict,
    /^::error title=huntaze-health postgres \(critical\)::warn: slow$/m,
    '--strict makes a warning an error',
  )
  t.match(renderGithub([result({ status: 'warn', output: 'slow' })], false), /^::warning /m)
})

t.test('progress writes nothing where the stream is no terminal, and a line a check where it is', async (t) => {
  const written: string[] = []
  const piped = new Progress({ write: (s: string) => written.push(s) }, ['postgres'])
  piped.start()
  piped.finished(result({}))
  piped.end()
  t.same(written, [])
  const tty = new Progress({ isTTY: true, write: (s: string) => written.push(s) }, ['postgres', 'redis'])
  tty.start()
  tty.finished(result({ status: 'fail', durationMs: 7.4 }))
  tty.end()
  t.same(written, ['checking: 0 of 2 done', '\r\x1b[2Kpostgres fail        7ms\nchecking: 1 of 2 done', '\r\x1b[2K'])
})

t.test('the closest setting name: typos one or two edits away, case aside, and nothing for a stranger', async (t) => {
  t.equal(editDistance('DATABSE_URL', 'DATABASE_URL'), 1)
  t.equal(editDistance('DATBAASE_URL', 'DATABASE_URL'), 1, 'a swap is one edit')
  t.equal(closest('DATABSE_URL', settingNames), 'DATABASE_URL')
  t.equal(closest('STRIPE_SECRETKEY', settingNames), 'STRIPE_SECRET_KEY')
  t.equal(closest('redis_url', settingNames), 'REDIS_URL')
  t.equal(closest('PROT', settingNames), 'PORT')
  t.equal(closest('LEGACY_FLAG', settingNames), undefined)
  t.equal(closest('APP', settingNames), undefined, 'a short name needs a one-edit match')
})

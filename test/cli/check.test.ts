import t from 'tap'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { checks } from '../../src/checks/index.js'
import { NOT_PROBED } from '../../src/cli/offline-executor.js'
import { buildCli } from '../support/cli.js'
import { validateBody } from '../support/contract.js'
import { startSilentServer } from '../support/fakes/tcp.js'
import { eventually } from '../support/fakes/sockets.js'
import { PG_URL } from '../support/helpers.js'
import { echoed, noSecrets, sentinel } from '../support/secrets.js'

const cli = await buildCli()
t.teardown(() => cli.remove())

// secrets given to the runs below: the last test proves that no output of any run carries one, or a part of one
const password = sentinel('pw', 24).value
const jwt = sentinel('jwt', 20).value
const secrets = [echoed(password, 'the database password'), echoed(jwt, 'JWT_SECRET')]

const file = (name: string, text: string) => {
  const path = join(cli.dir, name)
  writeFileSync(path, text)
  return path
}
// the escape character and the carriage return that rewrite a terminal's line
const ESC = '\u001b'
const CLEAR_LINE = `\r${ESC}[2K`
const controlIn = (text: string) => text.includes(ESC) || text.includes('\r')

interface Case {
  name: string
  failure?: { type: string; message: string; '#text'?: string }
  skipped?: unknown
  'system-out'?: string
}
interface Suite {
  name: string
  testcase: Case[]
}

t.test('bad usage exits 2 and says what is wrong', async (t) => {
  const unknown = await cli.run(['check', '--only', 'postgres,postgress'])
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /no check named postgress; the checks are postgres, redis, upstash/)
  t.equal(unknown.stdout, '', 'no report')
  const excluded = await cli.run(['check', '--exclude', 'nope'])
  t.equal(excluded.code, 2)
  t.match(excluded.stderr, /no check named nope/)
  for (const args of [
    ['check', '--format', 'xml'],
    ['check', '--tier', 'vital'],
    ['check', '--timeout', '0'],
    ['check', '--timeout', '1.5'],
    ['check', '--bogus'],
    ['frobnicate'],
    [],
  ]) {
    const ran = await cli.run(args)
    t.equal(ran.code, 2, `${args.join(' ') || 'no command'} is bad usage`)
    t.match(ran.stderr, /error|Usage/, 'with a reason')
  }
  // Node (20 to 24) would read a missing --env-file themselves and exit 9: the shebang's "--" keeps it for the command
  const missing = await cli.run(['check', '--env-file', 'no-such.env'])
  t.equal(missing.code, 2, 'a missing file is bad usage')
  t.match(missing.stderr, /no-such\.env/)
  t.notMatch(missing.stderr, /^node:/m, 'the command says so, not node')
  const none = await cli.run(['check', '--only', 'postgres', '--tier', 'optional'])
  t.equal(none.code, 2)
  t.match(none.stderr, /select no check/)
})

t.test('--help of each subcommand and docs/cli.md name the same options', async (t) => {
  const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8')
  for (const command of ['check', 'env']) {
    const help = await cli.run([command, '--help'])
    t.equal(help.code, 0)
    const options = [...help.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]).filter((o) => o !== '--help')
    t.ok(options.length > 1, `${command} has options`)
    // the section of the subcommand, up to the next one
    const section = doc.split(/^## /m).find((s) => s.startsWith(`\`${command}\``)) ?? ''
    const documented = [...section.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1])
    t.same(documented, options, `the options of ${command}, in order`)
  }
})

t.test(
  'an offline run of an unconfigured platform fails with readable reasons, piped without control characters',
  async (t) => {
    const ran = await cli.run(['check', '--offline'])
    t.equal(ran.code, 1)
    t.match(ran.stdout, /^\[-\] postgres +fail +critical .* NOT_CONFIGURED cannot check: DATABASE_URL is not set$/m)
    t.match(ran.stdout, /^\[ \] redis +skipped/m)
    t.match(ran.stdout, /\nhealth failed for \d+s: \d+ failed, \d+ warnings, \d+ passed, \d+ skipped\n$/)
    t.equal(ran.stdout.trim().split('\n').length, checks.length + 1, 'a line a check and the summary')
    t.notOk(controlIn(ran.stdout + ran.stderr), 'no escape sequence, no carriage return')
    t.equal(ran.stderr, '', 'nothing logged')
  },
)

t.test('offline opens no connection; online, the same settings are probed', async (t) => {
  const server = await startSilentServer()
  t.teardown(() => server.close())
  const at = `127.0.0.1:${server.port}`
  const env = {
    DATABASE_URL: `postgres://app:${password}@${at}/app`,
    REDIS_URL: `redis://${at}`,
    UPSTASH_REDIS_REST_URL: `https://${at}`,
    UPSTASH_REDIS_REST_TOKEN: 'token-of-upstash',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(server.port),
    OPENAI_API_KEY: 'sk-proj-abcdef123456',
    OPENAI_BASE_URL: `http://${at}/v1`,
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL: `http://${at}`,
  }
  const offline = await cli.run(['check', '--offline', '--format', 'json'], { env })
  t.equal(server.accepted(), 0, 'no connection accepted')
  const body = JSON.parse(offline.stdout)
  const pg = body.checks['postgres:responseTime'][0]
  t.equal(pg.status, 'pass', 'the settings are well formed')
  t.equal(pg.liveCheck, false, 'nothing was proved live')
  t.equal(pg.output, NOT_PROBED)

  // --timeout wins over HEALTH_TIMEOUT_MS: the probe of a server that never answers ends long before 20 s
  const online = await cli.run(['check', '--only', 'postgres', '--timeout', '300', '--format', 'json'], {
    env: { ...env, HEALTH_TIMEOUT_MS: '20000' },
  })
  t.equal(online.code, 1)
  const timedOut = JSON.parse(online.stdout).checks['postgres:responseTime'][0]
  t.equal(timedOut.reason, 'TIMEOUT')
  t.ok(timedOut.observedValue < 10_000, `--timeout is the probe's timeout (${timedOut.observedValue}ms)`)
  t.ok(await eventually(() => server.accepted() > 0), 'the online run did connect')
})

t.test('a check that passes for real exits 0', async (t) => {
  const ran = await cli.run(['check', '--only', 'postgres'], { env: { DATABASE_URL: PG_URL } })
  t.equal(ran.code, 0, ran.stdout)
  t.match(ran.stdout, /^\[\+\] postgres +pass +critical/m)
  t.match(ran.stdout, /health passed: 0 failed, 0 warnings, 1 passed, 0 skipped/)
})

t.test('--env-file: later files win, and the environment wins over all', async (t) => {
  const bad = file('bad.env', 'DATABASE_URL=mysql://db.internal/app\n')
  const good = file('good.env', `DATABASE_URL=${PG_URL}\n`)
  const args = (...files: string[]) => [
    'check',
    '--only',
    'postgres',
    '--offline',
    ...files.flatMap((f) => ['--env-file', f]),
  ]
  const alone = await cli.run(args(bad))
  t.equal(alone.code, 1)
  t.match(
    alone.stdout,
    /MISCONFIGURED DATABASE_URL is malformed: expected a postgres:\/\/ or postgresql:\/\/ URL, got a mysql:\/\/ URL/,
  )
  t.equal((await cli.run(args(bad, good))).code, 0, 'the later file wins')
  t.equal((await cli.run(args(good, bad))).code, 1, 'in either order')
  const env = await cli.run(args(bad, good), { env: { DATABASE_URL: 'mysql://db.internal/app' } })
  t.equal(env.code, 1, 'the environment wins over the files')
  // with files given, HEALTH_ENV_FILE is not read
  const dotenv = file('other.env', 'DATABASE_URL=mysql://db.internal/app\n')
  t.equal((await cli.run(args(good), { env: { HEALTH_ENV_FILE: dotenv } })).code, 0)
  t.equal(
    (await cli.run(['check', '--only', 'postgres', '--offline'], { env: { HEALTH_ENV_FILE: dotenv } })).code,
    1,
    'without, it is',
  )
})

t.test('--strict makes a warning fail; --tier and --exclude select checks', async (t) => {
  // rate limiting on without Upstash is a warning of an important check
  const warn = await cli.run(['check', '--only', 'rate-limit', '--offline'])
  t.equal(warn.code, 0)
  t.match(warn.stdout, /^\[!\] rate-limit +warn/m)
  t.equal((await cli.run(['check', '--only', 'rate-limit', '--offline', '--strict'])).code, 1)
  const critical = await cli.run(['check', '--tier', 'critical', '--exclude', 'postgres', '--offline'])
  const names = critical.stdout
    .trim()
    .split('\n')
    .slice(0, -1)
    .map((l) => l.split(/ +/)[1])
  t.same(
    names,
    checks.filter((c) => c.tier === 'critical' && c.name !== 'postgres').map((c) => c.name),
  )
})

t.test('a bad setting of the service itself exits 1 with its reason', async (t) => {
  const ran = await cli.run(['check', '--offline'], { env: { HEALTH_TIMEOUT_MS: 'soon' } })
  t.equal(ran.code, 1)
  t.match(ran.stderr, /HEALTH_TIMEOUT_MS: expected an integer/)
  t.equal(ran.stdout, '')
  const damping = await cli.run(['check', '--offline'], { env: { HEALTH_DAMPING: 'postgress=2/1' } })
  t.equal(damping.code, 1)
  t.match(damping.stderr, /HEALTH_DAMPING names no check postgress/)
})

t.test('--format json is a health report as openapi.yaml describes it', async (t) => {
  const failing = await cli.run(['check', '--offline', '--format', 'json'], { env: { JWT_SECRET: jwt } })
  t.equal(failing.code, 1)
  const body = JSON.parse(failing.stdout)
  t.same(validateBody('/health', 503, 'application/health+json', body), [])
  t.equal(body.status, 'fail')
  t.match(body.checks['auth:responseTime'][0].output, /JWT_SECRET is malformed: expected at least 32 characters/)
  const passing = await cli.run(['check', '--only', 'postgres', '--format', 'json'], { env: { DATABASE_URL: PG_URL } })
  t.equal(passing.code, 0)
  const ok = JSON.parse(passing.stdout)
  t.same(validateBody('/health', 200, 'application/health+json', ok), [])
  t.equal(ok.checks['postgres:responseTime'][0].liveCheck, true)
})

t.test('--format junit is XML: a suite a tier, a test case a check, failures with their reason', async (t) => {
  const env = { DATABASE_URL: `postgres://app:${password}@db.internal:5432/app`, JWT_SECRET: jwt }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase'].includes(name),
  })
  const run = async (...extra: string[]) => {
    const ran = await cli.run(['check', '--offline', '--format', 'junit', ...extra], { env })
    t.equal(XMLValidator.validate(ran.stdout), true, 'well-formed XML')
    return { ran, xml: parser.parse(ran.stdout) }
  }
  const { ran, xml } = await run()
  t.equal(ran.code, 1)
  const suites: Suite[] = xml.testsuites.testsuite
  t.same(
    suites.map((s) => s.name),
    ['critical', 'important', 'optional'],
  )
  const cases = suites.flatMap((s) => s.testcase)
  t.same(cases.map((c) => c.name).sort(), checks.map((c) => c.name).sort(), 'every check once')
  t.equal(Number(xml.testsuites.tests), checks.length)
  const byName = new Map(cases.map((c) => [c.name, c]))
  const auth = byName.get('auth')!
  t.equal(auth.failure?.type, 'fail')
  t.match(
    auth.failure?.message,
    /^NOT_CONFIGURED: cannot check: NEXTAUTH_URL, NEXTAUTH_SECRET are not set; JWT_SECRET is malformed/,
  )
  t.match(auth.failure?.['#text'], /JWT_SECRET is malformed/)
  t.ok(byName.get('redis')?.skipped !== undefined, 'skipped')
  const failures = cases.filter((c) => c.failure).length
  t.equal(Number(xml.testsuites.failures), failures)
  t.ok(failures > 0)
  // a warning is system-out, unless --strict makes it a failure
  const rateLimit = byName.get('rate-limit')!
  t.equal(rateLimit.failure, undefined)
  t.match(rateLimit['system-out'], /^warn: MISCONFIGURED/)
  const strict = await run('--strict')
  const strictRate = (strict.xml.testsuites.testsuite as Suite[])
    .flatMap((s) => s.testcase)
    .find((c) => c.name === 'rate-limit')
  t.equal(strictRate?.failure?.type, 'warn')
})

t.test('--format github writes workflow commands', async (t) => {
  const ran = await cli.run(['check', '--only', 'postgres,rate-limit,redis', '--offline', '--format', 'github'])
  t.equal(ran.code, 1)
  t.same(ran.stdout.trim().split('\n'), [
    '::error title=huntaze-health postgres (critical)::fail: NOT_CONFIGURED cannot check: DATABASE_URL is not set',
    `::warning title=huntaze-health rate-limit (important)::${ran.stdout.split('\n')[1].split('::')[2]}`,
    '::notice title=huntaze-health::1 failed, 1 warnings, 0 passed, 1 skipped',
  ])
  t.match(ran.stdout.split('\n')[1], /::warn: MISCONFIGURED .*rate limiting is enabled/)
})

t.test('on a terminal, progress shows each check as it finishes', async (t) => {
  const command = `${process.execPath} ${join(cli.dir, 'dist/cli.js')} check --only postgres,redis --offline`
  // script(1) runs the command on a pseudo-terminal
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: cli.dir,
    env: { PATH: process.env.PATH ?? '', HEALTH_ENV_FILE: '/nonexistent/.env', TERM: 'dumb' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (c) => (out += c))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const code = await new Promise((resolve) => child.once('close', resolve))
  clearTimeout(timer)
  t.equal(code, 1)
  t.match(out, /checking: 0 of 2 done/)
  // a pseudo-terminal turns each LF into CRLF
  t.match(out.split(CLEAR_LINE)[1], /^postgres +fail +\d+ms\r?\nchecking: 1 of 2 done$/)
  t.ok(out.includes(`checking: 2 of 2 done${CLEAR_LINE}[-] postgres`), 'the counter is cleared before the report')
  t.match(out, /health failed for \d+s: 1 failed/)
})

// the last test: every run above is done
t.test('no output of any run carries a secret or a part of one', async (t) => {
  t.ok(Object.keys(cli.outputs).length > 10, 'the runs were recorded')
  noSecrets(t, secrets, cli.outputs)
})

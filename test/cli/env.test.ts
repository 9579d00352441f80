import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'dotenv'
import { HealthSettings, secretHealthSettings, settingMeta, settingNames } from '../../src/config.js'
import { checks } from '../../src/checks/index.js'
import { buildCli } from '../support/cli.js'
import { echoed, noSecrets, sentinel } from '../support/secrets.js'

const cli = await buildCli()
t.teardown(() => cli.remove())

// mixed case and digits, as real keys are: four upper-case letters alone would turn up in the template's names
const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const stripeKey = `sk_live_${sentinel('', 24, alphanumeric).value}`
const token = sentinel('', 40, alphanumeric).value
const secrets = [echoed(stripeKey, 'STRIPE_SECRET_KEY'), echoed(token, 'HEALTH_AUTH_TOKENS')]

const every = [...settingNames, ...Object.keys(HealthSettings.properties)]

t.test('env prints a template naming every setting once, with its facts, that lints clean', async (t) => {
  const ran = await cli.run(['env'])
  t.equal(ran.code, 0)
  const assigned = ran.stdout.split('\n').filter((l) => /^[A-Z0-9_]+=/.test(l))
  t.same(assigned.map((l) => l.split('=')[0]).sort(), [...every].sort(), 'every setting exactly once')
  const parsed = parse(ran.stdout)
  t.same(Object.keys(parsed).sort(), [...every].sort(), 'as dotenv reads it')
  t.ok(
    Object.values(parsed).every((v) => v === ''),
    'every value empty: the defaults apply',
  )
  const factsOf = (name: string) => {
    const lines = ran.stdout.split('\n')
    return lines[lines.indexOf(`${name}=`) - 1]
  }
  t.equal(factsOf('DATABASE_URL'), '# tier critical, required, secret, format postgres-url')
  t.equal(factsOf('AWS_S3_BUCKET'), '# tier critical, optional, format s3-bucket, default content-creation-media')
  t.equal(factsOf('FROM_EMAIL'), '# tier important, required, format email')
  t.equal(factsOf('HEALTH_PORT'), '# integer from 0 to 65535, default 8080')
  t.equal(factsOf('HEALTH_LOG_LEVEL'), '# one of fatal, error, warn, info, debug, trace, silent, default info')
  for (const name of settingNames) t.equal(factsOf(name).includes('secret'), settingMeta(name).secret === true, name)
  for (const name of secretHealthSettings) t.match(factsOf(name), /secret/, name)
  t.match(ran.stdout, /^# == postgres \(critical, live check\) ==$/m)
  const formatOnly = checks.find((c) => !c.live)!
  t.match(ran.stdout, `\n# == ${formatOnly.name} (${formatOnly.tier}, format only) ==\n`)

  const path = join(cli.dir, 'template.env')
  writeFileSync(path, ran.stdout)
  const lint = await cli.run(['env', '--lint', path])
  t.equal(lint.code, 0, lint.stdout)
  t.equal(lint.stdout, `${path}: 0 errors, 0 warnings in ${every.length} settings\n`)
})

t.test('env --lint reports typos, repeats and malformed values by line, and never a value', async (t) => {
  const path = join(cli.dir, 'typos.env')
  writeFileSync(
    path,
    [
      '# production',
      'DATABSE_URL=postgres://app@db.internal:5432/app',
      `export STRIPE_SECRET_KEY="${stripeKey}"`,
      'NODE_ENV=prod # was production',
      'NODE_ENV=production',
      'LEGACY_FLAG=1',
      `HEALTH_AUTH_TOKENS=${token},short`,
      'HEALTH_PORT=eighty',
      'redis_url=redis://127.0.0.1:6379',
      'this line is not a setting',
      `JWT_SECRET='${stripeKey.slice(0, 20)}'`,
      'SMTP_PORT=',
      '',
    ].join('\n'),
  )
  const ran = await cli.run(['env', '--lint', path])
  t.equal(ran.code, 1)
  t.same(ran.stdout.trim().split('\n'), [
    `${path}:2: error: DATABSE_URL is not a setting; did you mean DATABASE_URL?`,
    `${path}:4: error: NODE_ENV is malformed: expected one of development, staging, production`,
    `${path}:5: error: NODE_ENV is set again (first on line 4); this one wins`,
    `${path}:6: warning: LEGACY_FLAG is not a setting of huntaze-health; it is ignored`,
    `${path}:7: error: HEALTH_AUTH_TOKENS: token 2 of 2 has 5 characters, expected at least 32 (generate one with \`openssl rand -hex 32\`)`,
    `${path}:8: error: HEALTH_PORT: expected an integer, a whole number (Port the health service listens on)`,
    `${path}:9: error: redis_url is not a setting; did you mean REDIS_URL?`,
    `${path}:10: error: not a NAME=value line: dotenv ignores it`,
    `${path}:11: error: JWT_SECRET is malformed: expected at least 32 characters, got 20`,
    `${path}: 8 errors, 1 warning in 10 settings`,
  ])
})

t.test('a warning alone passes, unless --strict', async (t) => {
  const path = join(cli.dir, 'extra.env')
  writeFileSync(path, 'NODE_ENV=production\nLEGACY_FLAG=1\n')
  t.equal((await cli.run(['env', '--lint', path])).code, 0)
  t.equal((await cli.run(['env', '--lint', path, '--strict'])).code, 1)
})

t.test('a file that cannot be read is bad usage', async (t) => {
  const missing = await cli.run(['env', '--lint', 'no-such.env'])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /cannot read no-such\.env: no such file/)
  const dir = await cli.run(['env', '--lint', cli.dir])
  t.equal(dir.code, 2)
  t.match(dir.stderr, /it is a directory/)
  t.equal((await cli.run(['env', '--lint'])).code, 2, 'no file named')
})

// the last test: every run above is done
t.test('no output of any run carries a secret or a part of one', async (t) => {
  t.ok(Object.keys(cli.outputs).length > 10, 'the runs were recorded')
  noSecrets(t, secrets, cli.outputs)
})

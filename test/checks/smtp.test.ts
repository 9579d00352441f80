import t, { type Test } from 'tap'
import smtp from '../../src/checks/smtp.js'
import { MARGIN_MS, probeCheck } from '../support/probe.js'
import { freePort, startSilentServer } from '../support/fakes/tcp.js'
import { SMTP_PASSWORD, SMTP_USER, WRONG_PASSWORD, startNotSmtp, startSmtp } from '../support/fakes/smtp.js'
import { noSecrets } from '../support/secrets.js'

const probe = (env: Record<string, string | undefined>, t: Test) =>
  probeCheck(t, smtp, { HEALTH_MIN_PROBE_INTERVAL_MS: '0', SMTP_HOST: '127.0.0.1', ...env })

const login = { SMTP_USER, SMTP_PASSWORD }
const SENDER = 'platform@example.test'

// Login cases run against a server without STARTTLS: smtp-server's built-in certificate is self-signed,
// and the check never turns certificate verification off, so a STARTTLS session with it cannot succeed.
// disabledCommands, not just hideSTARTTLS: a hidden STARTTLS is still accepted when a client asks for it
const plain = { hideSTARTTLS: true, disabledCommands: ['STARTTLS'], allowInsecureAuth: true }

t.test('greeting and login accepted: pass, one session however often /health is polled', async (t) => {
  const server = await startSmtp(plain)
  t.teardown(() => server.close())
  const { app, res, entry, logs } = await probe({ SMTP_PORT: String(server.port), SMTP_FROM: SENDER, ...login }, t)
  t.equal(res.statusCode, 200)
  t.equal(entry.status, 'pass')
  t.match(
    entry.output,
    /port \d+ greets without TLS \(the server offers no STARTTLS\); the login of SMTP_USER is accepted; the sender SMTP_FROM platform@example\.test is accepted \(no mail sent\)/,
  )
  t.same(server.senders(), [SENDER], 'the sender is proven after the login')
  t.equal(server.recipients() + server.messages(), 0, 'no RCPT, no DATA')
  t.same(entry.details, { tls: false, login: 'accepted', host: '127.0.0.1', port: server.port, sender: 'SMTP_FROM' })
  for (let i = 0; i < 10; i++) await app.inject('/health/smtp')
  t.equal(server.connections(), 1)
  t.same(server.logins(), [{ user: SMTP_USER, secure: false }])
  noSecrets(t, [SMTP_PASSWORD], { body: res.body, logs: logs.text() })
})

t.test(
  'a wrong password is AUTH_FAILED naming SMTP_USER and SMTP_PASSWORD; the password appears nowhere',
  async (t) => {
    const server = await startSmtp(plain)
    t.teardown(() => server.close())
    const { app, res, entry, logs } = await probe(
      { SMTP_PORT: String(server.port), SMTP_USER, SMTP_PASSWORD: WRONG_PASSWORD },
      t,
    )
    t.equal(res.statusCode, 503)
    t.equal(entry.status, 'fail')
    t.equal(entry.reason, 'AUTH_FAILED')
    t.match(
      entry.output,
      /127\.0\.0\.1 port \d+ rejected the login \(server said: 535 .*\); check SMTP_USER and SMTP_PASSWORD/,
    )
    const text = (await app.inject('/health/smtp?verbose')).body
    noSecrets(t, [WRONG_PASSWORD], { body: res.body, text, logs: logs.text() })
    t.equal(server.logins().length, 1)
  },
)

t.test('no login configured: greeting only, and the output says so', async (t) => {
  const server = await startSmtp({ ...plain, authOptional: true })
  t.teardown(() => server.close())
  const { entry } = await probe({ SMTP_PORT: String(server.port) }, t)
  t.equal(entry.status, 'pass')
  t.match(entry.output, /no login configured \(SMTP_USER not set\)/)
  t.equal(server.logins().length, 0)
})

t.test('no login configured, a relay that demands one: MAIL FROM is refused, fail with the server words', async (t) => {
  const server = await startSmtp(plain)
  t.teardown(() => server.close())
  const { entry, res } = await probe({ SMTP_PORT: String(server.port), SMTP_FROM: SENDER }, t)
  t.equal(res.statusCode, 503)
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'AUTH_FAILED')
  t.match(
    entry.output,
    /refused MAIL FROM:<platform@example\.test> \(server said: 530 .*authentication.*\): platform mail would be refused; set SMTP_USER and SMTP_PASSWORD/i,
  )
  t.same(server.senders(), [])
  t.equal(server.recipients() + server.messages(), 0, 'no RCPT, no DATA')
})

t.test('no login configured, a relay that takes the sender: pass, and nothing is sent', async (t) => {
  const server = await startSmtp({ ...plain, authOptional: true })
  t.teardown(() => server.close())
  const { entry } = await probe({ SMTP_PORT: String(server.port), SMTP_FROM: SENDER }, t)
  t.equal(entry.status, 'pass')
  t.match(
    entry.output,
    /no login configured \(SMTP_USER not set\); the sender SMTP_FROM platform@example\.test is accepted/,
  )
  t.same(server.senders(), [SENDER])
  t.equal(server.recipients(), 0, 'no RCPT')
  t.equal(server.messages(), 0, 'no DATA')
  t.equal(server.logins().length, 0)
})

t.test('a sender the server refuses (553) fails naming SMTP_FROM', async (t) => {
  const server = await startSmtp({
    ...plain,
    authOptional: true,
    onMailFrom: (_address, _session, cb) =>
      cb(Object.assign(new Error('Sender address rejected: not owned by user'), { responseCode: 553 })),
  })
  t.teardown(() => server.close())
  const { entry } = await probe({ SMTP_PORT: String(server.port), SMTP_FROM: SENDER }, t)
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'FORBIDDEN')
  t.match(
    entry.output,
    /refused MAIL FROM:<platform@example\.test> \(server said: 553 Sender address rejected.*\).*SMTP_FROM/,
  )
})

t.test('without SMTP_FROM the sender is FROM_EMAIL, and without either the null sender, said so', async (t) => {
  const server = await startSmtp({ ...plain, authOptional: true })
  t.teardown(() => server.close())
  const fromEmail = await probe({ SMTP_PORT: String(server.port), FROM_EMAIL: 'noreply@example.test' }, t)
  t.match(fromEmail.entry.output, /the sender FROM_EMAIL noreply@example\.test is accepted/)
  const none = await probe({ SMTP_PORT: String(server.port) }, t)
  t.equal(none.entry.status, 'pass')
  t.match(none.entry.output, /neither SMTP_FROM nor FROM_EMAIL is set: the null sender <> is accepted/)
  t.same(server.senders(), ['noreply@example.test', ''])
  t.equal(server.recipients() + server.messages(), 0)
})

for (const [what, greeting] of [
  ['an HTTP server', 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'],
  ['garbage', 'xx-not-smtp-at-all\r\n'],
] as const) {
  t.test(`${what} on the SMTP port is BAD_RESPONSE, not TLS_ERROR`, async (t) => {
    const server = await startNotSmtp(greeting)
    t.teardown(() => server.close())
    const { entry } = await probe({ SMTP_PORT: String(server.port) }, t)
    t.equal(entry.status, 'fail')
    t.equal(entry.reason, 'BAD_RESPONSE')
    t.match(entry.output, /did not answer like an SMTP server.*check SMTP_PORT/)
  })
}

t.test('in production, a server without STARTTLS never receives the password: TLS_ERROR', async (t) => {
  const server = await startSmtp(plain)
  t.teardown(() => server.close())
  const { entry } = await probe({ NODE_ENV: 'production', SMTP_PORT: String(server.port), ...login }, t)
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'TLS_ERROR')
  t.match(
    entry.output,
    /does not offer STARTTLS, and in production SMTP_PASSWORD is never sent in clear text; enable STARTTLS on the server or use port 465 in SMTP_PORT/,
  )
  t.equal(server.logins().length, 0, 'no AUTH was attempted')
})

t.test(
  "STARTTLS offered with an untrusted certificate (smtp-server's built-in one) is TLS_ERROR, before any login",
  async (t) => {
    const server = await startSmtp({ allowInsecureAuth: false })
    t.teardown(() => server.close())
    const { entry, res, logs } = await probe({ SMTP_PORT: String(server.port), ...login }, t)
    t.equal(entry.status, 'fail')
    t.equal(entry.reason, 'TLS_ERROR')
    t.match(
      entry.output,
      /TLS with SMTP_HOST 127\.0\.0\.1 port \d+ failed: .*certificate.*must be valid for SMTP_HOST/i,
    )
    t.equal(server.logins().length, 0, 'the password was not sent')
    noSecrets(t, [SMTP_PASSWORD], { body: res.body, logs: logs.text() })
  },
)

t.test('a server that offers no AUTH cannot prove the login: a warning naming the settings', async (t) => {
  const server = await startSmtp({ ...plain, disabledCommands: ['STARTTLS', 'AUTH'] })
  t.teardown(() => server.close())
  const { entry } = await probe({ SMTP_PORT: String(server.port), ...login }, t)
  t.equal(entry.status, 'warn')
  t.equal(entry.reason, 'MISCONFIGURED')
  t.match(entry.output, /offers no AUTH, so SMTP_USER and SMTP_PASSWORD could not be proven/)
})

t.test('a server that accepts and never greets: TIMEOUT at the timeout, socket closed', async (t) => {
  const silent = await startSilentServer()
  t.teardown(() => silent.close())
  const { entry, elapsedMs } = await probe({ SMTP_PORT: String(silent.port), ...login, HEALTH_TIMEOUT_MS: '300' }, t)
  t.equal(entry.status, 'fail')
  t.equal(entry.reason, 'TIMEOUT')
  t.ok(elapsedMs >= 290 && elapsedMs < 300 + MARGIN_MS, `answered at the timeout (${Math.round(elapsedMs)}ms)`)
  t.equal(silent.accepted(), 1)
  await silent.allClosed()
  t.equal(silent.open(), 0, 'the hung connection was closed')
})

t.test('nothing listening is REFUSED naming SMTP_HOST and SMTP_PORT', async (t) => {
  const port = await freePort()
  const { entry } = await probe({ SMTP_PORT: String(port), ...login }, t)
  t.equal(entry.reason, 'REFUSED')
  t.match(
    entry.output,
    new RegExp(`connection refused by SMTP_HOST 127\\.0\\.0\\.1 port ${port}; check SMTP_HOST and SMTP_PORT`),
  )
})

t.test('a user without a password is reported as a configuration mistake', async (t) => {
  const server = await startSmtp({ ...plain, authOptional: true })
  t.teardown(() => server.close())
  const { entry } = await probe({ SMTP_PORT: String(server.port), SMTP_USER }, t)
  t.equal(entry.status, 'fail')
  t.match(entry.output, /SMTP_PASSWORD is not set although SMTP_USER is/)
})

t.test('optional: skipped when SMTP_HOST is not set', async (t) => {
  const { entry } = await probeCheck(t, smtp, {})
  t.equal(entry.status, 'skipped')
  t.match(entry.output, /SMTP_HOST/)
})

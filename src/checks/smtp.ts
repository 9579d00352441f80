import type SMTPConnection from 'nodemailer/lib/smtp-connection'
import type { Config, Finding } from '../config.js'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck, type Observation } from './types.js'
import { quote } from './lib/quote.js'

type SmtpError = Error & {
  code?: string
  originalCode?: string
  response?: string
  responseCode?: number
  timeoutType?: string
  command?: string
}

// EPROTO whole: nodemailer's EPROTOCOL (a greeting that is not SMTP) starts with the same letters
const tlsCodes =
  /^(ETLS|EPROTO$|ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/

function explain(err: SmtpError, target: string, timeoutMs: number): CheckError {
  const code = err.code ?? ''
  const original = err.originalCode ?? ''
  const server = err.response ? ` (server said: ${quote(err.response.replace(/[^\x20-\x7e]+/g, ' '), 120)})` : ''
  if (code === 'EAUTH') {
    return new CheckError(
      Reason.AUTH_FAILED,
      `${target} rejected the login${server}; check SMTP_USER and SMTP_PASSWORD`,
    )
  }
  if (code === 'ETIMEDOUT' || original === 'ETIMEDOUT') {
    const phase =
      err.timeoutType === 'CONNECT_TIMEOUT'
        ? 'no connection'
        : err.timeoutType === 'UPGRADE_TIMEOUT'
          ? 'no TLS handshake'
          : 'no greeting or answer'
    return new CheckError(
      Reason.TIMEOUT,
      `${phase} from ${target} within ${timeoutMs}ms; check SMTP_HOST and SMTP_PORT, and that egress to that port is allowed`,
    )
  }
  if (code === 'EPROTOCOL')
    return new CheckError(Reason.BAD_RESPONSE, `${target} did not answer like an SMTP server${server}; check SMTP_PORT`)
  if (tlsCodes.test(code) || tlsCodes.test(original) || /certificate|self[- ]signed|ssl|tls/i.test(err.message)) {
    return new CheckError(
      Reason.TLS_ERROR,
      `TLS with ${target} failed: ${quote((err.message || code).replace(/[^\x20-\x7e]+/g, ' '), 160)}; the server's certificate must be valid for SMTP_HOST (port 465 is TLS from the start, 587 and 25 upgrade with STARTTLS)`,
    )
  }
  if (original === 'ECONNREFUSED')
    return new CheckError(Reason.REFUSED, `connection refused by ${target}; check SMTP_HOST and SMTP_PORT`)
  if (code === 'EDNS' || original === 'ENOTFOUND' || original === 'EAI_AGAIN') {
    return new CheckError(Reason.UNREACHABLE, `cannot resolve the host of ${target}; check SMTP_HOST`)
  }
  if (original === 'ECONNRESET' || original === 'EPIPE')
    return new CheckError(Reason.CONNECTION_RESET, `${target} reset the connection${server}`)
  if (code === 'ECONNECTION' || code === 'ESOCKET') {
    return new CheckError(
      Reason.REFUSED,
      `${target} closed the connection before the session was set up${server}; check SMTP_HOST and SMTP_PORT`,
    )
  }
  return new CheckError(Reason.BAD_RESPONSE, `${target}: ${quote(err.message || code || 'unknown error', 160)}`)
}

interface CommandQueue {
  _sendCommand(line: string): void
  _responseActions: ((response: string) => void)[]
}

// nodemailer sends MAIL FROM only with a recipient and a message; the sender alone goes through its command queue.
function command(conn: SMTPConnection, line: string): Promise<string> {
  const queue = conn as unknown as CommandQueue
  if (typeof queue._sendCommand !== 'function' || !Array.isArray(queue._responseActions))
    throw new Error('nodemailer no longer has the command queue the SMTP check uses to send MAIL FROM alone')
  return new Promise((resolve) => {
    queue._responseActions.push(resolve)
    queue._sendCommand(line)
  })
}

// The server's own words about the sender, printable and short.
function said(response: string): string {
  return quote(response.replace(/[^\x20-\x7e]+/g, ' ').trim(), 120)
}

// MAIL FROM refused: 530 asks for a login, 550/553 refuse this sender, a 4xx is a passing trouble of the server.
function senderRefused(response: string, target: string, from: string, sender: string, login: boolean): CheckError {
  const code = Number(response.slice(0, 3))
  const words = `${target} refused MAIL FROM:<${from}> (server said: ${said(response)})`
  if (code === 530 || (code >= 500 && /auth/i.test(response) && !login))
    return new CheckError(
      Reason.AUTH_FAILED,
      `${words}: platform mail would be refused; ${login ? 'the login of SMTP_USER is accepted but may not send, check SMTP_USER and SMTP_PASSWORD' : 'set SMTP_USER and SMTP_PASSWORD, this server sends only for a login'}`,
    )
  if (code >= 400 && code < 500)
    return new CheckError(Reason.UPSTREAM_ERROR, `${words}: a temporary refusal on the server's side`)
  return new CheckError(
    Reason.FORBIDDEN,
    `${words}: platform mail would be refused; set ${sender} to an address ${login ? 'SMTP_USER' : 'this server'} may send as (a domain the relay serves)`,
  )
}

// A login is a pair: one half alone is a configuration mistake, not an anonymous relay.
function loginPair(config: Config): Finding[] {
  const s = config.settings
  if (s.SMTP_USER && !s.SMTP_PASSWORD)
    return [
      {
        setting: 'SMTP_PASSWORD',
        problem: 'missing',
        message:
          'SMTP_PASSWORD is not set although SMTP_USER is: set both for a login, or neither for a relay without one',
      },
    ]
  if (s.SMTP_PASSWORD && !s.SMTP_USER)
    return [
      {
        setting: 'SMTP_USER',
        problem: 'missing',
        message:
          'SMTP_USER is not set although SMTP_PASSWORD is: set both for a login, or neither for a relay without one',
      },
    ]
  return []
}

export default defineCheck({
  name: 'smtp',
  tier: 'optional',
  componentType: 'component',
  live: true,
  scope: 'local',
  cache: 'third-party',
  description:
    'The server greets, negotiates TLS where offered, accepts the login and the sender (MAIL FROM, then RSET: no mail sent)',
  validate: loginPair,
  async start(ctx) {
    // the class transporter.verify() runs, used directly: verify() keeps its connection out of reach,
    // so an aborted probe could not close it, and it does not say whether TLS was negotiated
    const { default: Connection } = await import('nodemailer/lib/smtp-connection')
    const s = ctx.config.settings
    const host = s.SMTP_HOST
    const port = Number(s.SMTP_PORT)
    const target = `SMTP_HOST ${host} port ${port}`
    const implicitTls = port === 465
    const auth = s.SMTP_USER ? { user: s.SMTP_USER, pass: s.SMTP_PASSWORD ?? '' } : undefined
    // in production a password is never sent over a connection that STARTTLS did not encrypt
    const requireTLS = ctx.config.production && !implicitTls && auth !== undefined
    const t = ctx.timeoutMs
    // the sender the platform's mail uses, proven without sending: MAIL FROM, then RSET, never RCPT or DATA
    const senderSetting = s.SMTP_FROM ? 'SMTP_FROM' : s.FROM_EMAIL ? 'FROM_EMAIL' : undefined
    const from = s.SMTP_FROM ?? s.FROM_EMAIL ?? ''
    const senderWords = senderSetting
      ? `the sender ${senderSetting} ${from} is accepted (no mail sent)`
      : 'neither SMTP_FROM nor FROM_EMAIL is set: the null sender <> is accepted (no mail sent); set SMTP_FROM to prove the platform sender'
    const open = new Set<SMTPConnection>()
    return {
      async run(signal): Promise<Observation> {
        const conn = new Connection({
          host,
          port,
          secure: implicitTls,
          requireTLS,
          connectionTimeout: ctx.clientTimeoutMs,
          greetingTimeout: ctx.clientTimeoutMs,
          socketTimeout: ctx.clientTimeoutMs,
          dnsTimeout: ctx.clientTimeoutMs,
          socketCloseTimeout: 0,
          logger: false,
          debug: false,
        })
        open.add(conn)
        conn.once('end', () => open.delete(conn))
        // an error or a close at any step ends the probe, whichever step is waiting
        let fail: (err: unknown) => void = () => undefined
        const failed = new Promise<never>((_, reject) => (fail = reject))
        failed.catch(() => undefined)
        conn.on('error', (err) => fail(err))
        conn.on('end', () => fail(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' })))
        const step = <T>(p: Promise<T>) => Promise.race([p, failed])
        const onAbort = () => conn.close()
        signal.addEventListener('abort', onAbort, { once: true })
        let quitting = false
        try {
          await step(new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve()))))
          const tls = conn.secure
          let login: 'accepted' | 'not configured' | 'not offered' = 'not configured'
          if (auth) {
            if (!conn.allowsAuth) {
              login = 'not offered'
            } else {
              await step(
                new Promise<void>((resolve, reject) => conn.login(auth, (err) => (err ? reject(err) : resolve()))),
              )
              login = 'accepted'
            }
          }
          const answer = await step(command(conn, `MAIL FROM:<${from}>`))
          if (!answer.startsWith('2'))
            throw senderRefused(answer, target, from, senderSetting ?? 'SMTP_FROM', login === 'accepted')
          // the session forgets the sender; a server that refuses RSET has still accepted it
          await step(command(conn, 'RSET'))
          // a polite QUIT; the socket timeout closes the connection if the server never answers it
          quitting = true
          conn.quit()
          const details = { tls, login, host, port, sender: senderSetting ?? 'null sender' }
          const how = tls
            ? implicitTls
              ? 'over TLS'
              : 'upgraded with STARTTLS'
            : 'without TLS (the server offers no STARTTLS)'
          if (login === 'not offered') {
            return {
              status: 'warn',
              reason: Reason.MISCONFIGURED,
              output: `${target} greets ${how} but offers no AUTH, so SMTP_USER and SMTP_PASSWORD could not be proven; unset them if this relay needs no login, or check SMTP_PORT; ${senderWords}`,
              details,
            }
          }
          return {
            output: `${target} greets ${how}; ${login === 'accepted' ? 'the login of SMTP_USER is accepted' : 'no login configured (SMTP_USER not set)'}; ${senderWords}`,
            details,
          }
        } catch (err) {
          if (signal.aborted || err instanceof CheckError) throw err
          const e = err as SmtpError
          if (requireTLS && e.code === 'ETLS' && e.command === 'STARTTLS') {
            throw new CheckError(
              Reason.TLS_ERROR,
              `${target} does not offer STARTTLS, and in production SMTP_PASSWORD is never sent in clear text; enable STARTTLS on the server or use port 465 in SMTP_PORT`,
            )
          }
          throw explain(e, target, t)
        } finally {
          signal.removeEventListener('abort', onAbort)
          if (!quitting) {
            conn.close()
            open.delete(conn)
          }
        }
      },
      async close() {
        for (const conn of open) conn.close()
        open.clear()
      },
    }
  },
})

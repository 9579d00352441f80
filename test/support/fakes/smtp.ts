import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { createServer, type AddressInfo } from 'node:net'
import { socketTracker } from './sockets.js'

export const SMTP_USER = 'health-check@example.test'
export const SMTP_PASSWORD = 'smtp-password-sentinel-7c2e9b41'
export const WRONG_PASSWORD = 'smtp-wrong-sentinel-3f8a0d62'

export interface FakeSmtp {
  port: number
  // sessions opened, and logins tried, as the server saw them
  connections: () => number
  logins: () => { user: string; secure: boolean }[]
  // senders the server accepted MAIL FROM for, and whether a recipient or a message ever arrived
  senders: () => string[]
  recipients: () => number
  messages: () => number
  close: () => Promise<void>
}

// smtp-server on 127.0.0.1:0 that accepts exactly SMTP_USER / SMTP_PASSWORD; unless authOptional, MAIL FROM
// before a login is refused with 530, as a relay that demands a login does.
export async function startSmtp(options: SMTPServerOptions = {}): Promise<FakeSmtp> {
  let connections = 0
  const logins: { user: string; secure: boolean }[] = []
  const senders: string[] = []
  let recipients = 0
  let messages = 0
  const server = new SMTPServer({
    logger: false,
    closeTimeout: 100,
    authMethods: ['PLAIN', 'LOGIN'],
    onConnect(_session, cb) {
      connections++
      cb()
    },
    onAuth(auth, session, cb) {
      logins.push({ user: auth.username ?? '', secure: session.secure })
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return cb(null, { user: auth.username })
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
    },
    onMailFrom(address, _session, cb) {
      senders.push(address.address)
      cb()
    },
    onRcptTo(_address, _session, cb) {
      recipients++
      cb()
    },
    onData(stream, _session, cb) {
      messages++
      stream.resume()
      stream.on('end', () => cb())
    },
    ...options,
  })
  server.on('error', () => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    port,
    connections: () => connections,
    logins: () => logins,
    senders: () => senders,
    recipients: () => recipients,
    messages: () => messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

// A TCP server that greets with something else than SMTP (an HTTP server on the SMTP port).
export async function startNotSmtp(greeting = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'): Promise<{
  port: number
  close: () => Promise<void>
}> {
  const sockets = socketTracker()
  const server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => undefined)
    s.resume()
    s.write(greeting)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        sockets.destroyAll()
        server.close(() => r())
      }),
  }
}

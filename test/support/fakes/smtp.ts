import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import type { AddressInfo } from 'node:net'

export const SMTP_USER = 'health-check@example.test'
export const SMTP_PASSWORD = 'smtp-password-sentinel-7c2e9b41'
export const WRONG_PASSWORD = 'smtp-wrong-sentinel-3f8a0d62'

export interface FakeSmtp {
  port: number
  // sessions opened, and logins tried, as the server saw them
  connections: () => number
  logins: () => { user: string; secure: boolean }[]
  close: () => Promise<void>
}

// smtp-server on 127.0.0.1:0 that accepts exactly SMTP_USER / SMTP_PASSWORD.
export async function startSmtp(options: SMTPServerOptions = {}): Promise<FakeSmtp> {
  let connections = 0
  const logins: { user: string; secure: boolean }[] = []
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
    ...options,
  })
  server.on('error', () => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    port,
    connections: () => connections,
    logins: () => logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

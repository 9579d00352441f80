import { createServer, type AddressInfo, type Socket } from 'node:net'
import { socketTracker } from './sockets.js'

// A PostgreSQL server's authentication step, byte for byte as protocol 3 has it, for a client that has no password:
// the server asks for one (SCRAM-SHA-256, MD5 or cleartext) and the client must give up. What a real server does
// when pg_hba.conf says scram-sha-256 and DATABASE_URL carries no password.
export type PasswordMethod = 'scram-sha-256' | 'md5' | 'password'

const SSL_REQUEST = 80877103
const GSS_REQUEST = 80877104

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeUInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

// 'R' AuthenticationSASL (10), MD5Password (5) or CleartextPassword (3)
function askFor(method: PasswordMethod): Buffer {
  if (method === 'scram-sha-256') return message('R', Buffer.concat([int32(10), Buffer.from('SCRAM-SHA-256\0\0')]))
  if (method === 'md5') return message('R', Buffer.concat([int32(5), Buffer.from([1, 2, 3, 4])]))
  return message('R', int32(3))
}

export async function startPasswordServer(method: PasswordMethod) {
  const sockets = socketTracker()
  let asked = 0
  let passwords = 0
  const server = createServer((s: Socket) => {
    sockets.add(s)
    s.on('error', () => undefined)
    let buf = Buffer.alloc(0)
    let started = false
    s.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      // untyped startup packets first (SSLRequest, GSSENCRequest, StartupMessage), then typed messages
      while (!started && buf.length >= 8) {
        const length = buf.readUInt32BE(0)
        if (buf.length < length) return
        const code = buf.readUInt32BE(4)
        buf = buf.subarray(length)
        if (code === SSL_REQUEST || code === GSS_REQUEST) s.write('N')
        else {
          started = true
          asked++
          s.write(askFor(method))
        }
      }
      while (started && buf.length >= 5) {
        const length = buf.readUInt32BE(1)
        if (buf.length < length + 1) return
        const type = String.fromCharCode(buf[0])
        const body = buf.subarray(5, length + 1)
        buf = buf.subarray(length + 1)
        if (type === 'p') passwords++
        if (type === 'p' && method === 'scram-sha-256') {
          // SASLInitialResponse: mechanism\0, int32 length, "n,,n=*,r=<client nonce>"; answer server-first-message
          const first = body.subarray(body.indexOf(0) + 5).toString()
          const nonce = /r=([^,]+)/.exec(first)?.[1] ?? ''
          const serverFirst = `r=${nonce}c2VydmVyLW5vbmNl,s=${Buffer.from('salt-of-16-bytes').toString('base64')},i=4096`
          s.write(message('R', Buffer.concat([int32(11), Buffer.from(serverFirst)])))
        } else if (type === 'p') {
          // a password that is no password: what a server answers to a wrong one
          s.write(message('E', Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed\0\0')))
          s.end()
        }
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    asked: () => asked,
    // the password messages received: SASLInitialResponse counts, since it starts a password exchange
    passwords: () => passwords,
    open: sockets.open,
    allClosed: sockets.allClosed,
    close: () =>
      new Promise<void>((r) => {
        sockets.destroyAll()
        server.close(() => r())
      }),
  }
}

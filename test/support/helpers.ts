import { randomBytes } from 'node:crypto'
import { request, type Agent } from 'node:http'
import { Writable } from 'node:stream'
import { loadConfig, type Config, type Finding } from '../../src/config.js'
import type { CheckDefinition } from '../../src/checks/types.js'
import { build, type BuildOptions } from '../../src/server.js'
import type { FastifyInstance } from 'fastify'

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

// A HEALTH_AUTH_TOKENS token as `openssl rand -hex 32` makes one: the only kind the service accepts.
export const bearerToken = () => randomBytes(32).toString('hex')

// A config from exactly these variables: no .env file, no process.env. Details are shown to every caller, so tests
// can assert on them; test/routes/details.test.ts sets HEALTH_DETAILS itself.
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig(
    { NODE_ENV: 'development', HEALTH_LOG_LEVEL: 'debug', HEALTH_DETAILS: 'always', ...env },
    { envFile: false },
  )
}

export interface Captured {
  stream: Writable
  lines: string[]
  text(): string
}

// Collects every log line the app writes, to assert on them (and on what they must never contain).
export function captureLogs(): Captured {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      cb()
    },
  })
  return { stream, lines, text: () => lines.join('\n') }
}

export async function appWith(
  env: Record<string, string | undefined>,
  opts: Omit<BuildOptions, 'logStream'> = {},
): Promise<{ app: FastifyInstance; logs: Captured }> {
  const logs = captureLogs()
  const app = await build(testConfig(env), { ...opts, logStream: logs.stream })
  return { app, logs }
}

// A check's cross-setting rules on their own, without a probe.
export const findingsOf = (def: Pick<CheckDefinition, 'validate'>, config: Config): Finding[] =>
  def.validate?.(config) ?? []

// The app URLs of a production deployment that breaks no rule.
export const goodApp = {
  NEXT_PUBLIC_APP_URL: 'https://app.huntaze.com',
  NEXTAUTH_URL: 'https://app.huntaze.com',
}

// A GET over TCP to a server listening on loopback.
export function httpGet(
  port: number,
  path: string,
  agent?: Agent,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }))
    })
      .on('error', reject)
      .end()
  })
}

import { spawn } from 'node:child_process'

const serverPath = new URL('../../src/service.ts', import.meta.url).pathname

// The service as main() runs it, from the sources (or `command`, a built one), on a free loopback port; no .env
// file is read.
export function startService(
  env: Record<string, string>,
  command: readonly string[] = [process.execPath, '--import', 'tsx', serverPath],
) {
  const child = spawn(command[0], command.slice(1), {
    env: {
      PATH: process.env.PATH ?? '',
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: '0',
      HEALTH_ENV_FILE: '/nonexistent/.env',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  let waiters: { re: RegExp; resolve: () => void }[] = []
  child.stderr.on('data', (c) => (err += c))
  child.stdout.on('data', (c) => {
    out += c
    const seen = waiters.filter((w) => w.re.test(out))
    waiters = waiters.filter((w) => !seen.includes(w))
    for (const w of seen) w.resolve()
  })
  const port = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${err}`)))
  })
  // resolves once the service has written a line that matches
  const printed = (re: RegExp) =>
    new Promise<void>((resolve) => (re.test(out) ? resolve() : waiters.push({ re, resolve })))
  return { child, port, printed, output: () => out, errors: () => err }
}

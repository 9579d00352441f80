import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MARGIN_MS, type Entry } from '../support/probe.js'

// The name server down, as the resolver meets it, in a network namespace of the test's own (unshare, no root):
// unreachable (no route to it: getaddrinfo fails at once with EAI_AGAIN) or silent (it reads and never answers:
// getaddrinfo waits). Every check of the catalogue, configured with host names, inline and in the probe thread.

const TIMEOUT_MS = 1000
const script = new URL('../support/dns-outage.ts', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'huntaze-dns-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const resolvConf = join(dir, 'resolv.conf')
writeFileSync(resolvConf, 'nameserver 127.0.0.1\n')

interface Outcome {
  status: number
  elapsedMs: number
  body: { checks: Record<string, Entry[]> }
  errors: string[]
}

function run(mode: 'unreachable' | 'silent', where: 'inline' | 'thread'): Promise<Outcome> {
  const node = [process.execPath, '--import', 'tsx', script, mode, where]
  // silent: the namespace's own loopback up, and its own resolv.conf naming the silent server on it
  const args =
    mode === 'unreachable'
      ? ['-rn', ...node]
      : [
          '-rnm',
          'sh',
          '-c',
          `ip link set lo up && mount --bind "$0" /etc/resolv.conf && exec "$@"`,
          resolvConf,
          ...node,
        ]
  const child = spawn('unshare', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } })
  let out = ''
  let err = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (err += c))
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Outcome) : reject(new Error(`exited with ${code}: ${err}`)),
    ),
  )
}

for (const mode of ['unreachable', 'silent'] as const)
  for (const where of ['inline', 'thread'] as const)
    t.test(`the name server ${mode}, ${where}: every live check names it, none blames the service`, async (t) => {
      const o = await run(mode, where)
      const probed = Object.entries(o.body.checks).filter(
        ([name, [e]]) => name.endsWith(':responseTime') && !/^format only/.test(e.output ?? ''),
      )
      t.ok(probed.length >= 20, `${probed.length} live checks`)
      t.equal(o.status, 503)
      for (const [name, [entry]] of probed) {
        const expected = mode === 'unreachable' ? ['UNREACHABLE'] : ['TIMEOUT', 'UNREACHABLE']
        t.ok(expected.includes(entry.reason ?? ''), `${name}: ${entry.reason} ${entry.output}`)
        if (entry.reason === 'UNREACHABLE') t.match(entry.output, /example\.internal/, `${name}: names the host`)
      }
      t.same(
        Object.entries(o.body.checks)
          .filter(([, [e]]) => e.status !== 'pass')
          .map(([name]) => name)
          .filter((name) => !name.endsWith(':responseTime')),
        [],
        'only the probes fail: the settings are right',
      )
      t.same(o.errors, [], 'no error log line: the dependency is at fault, not the service')
      t.ok(o.elapsedMs < TIMEOUT_MS + MARGIN_MS, `answered in ${Math.round(o.elapsedMs)} ms`)
    })

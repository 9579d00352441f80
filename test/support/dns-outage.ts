// Run by test/faults/dns.test.ts inside its own network (and mount) namespace, where the resolver's server is
// unreachable or silent: every check of the catalogue, configured with host names, probed once inline or in the
// probe thread. Prints one JSON line: each check's entry, the time the answer took, the error log lines.
import { createSocket } from 'node:dgram'
import { platformEnv } from '../../bench/lib/env.js'
import { appWith } from './helpers.js'

const [mode, where] = process.argv.slice(2)
if (mode === 'silent') {
  // a name server that reads every question and answers none
  const server = createSocket('udp4')
  await new Promise<void>((resolve) => server.bind(53, '127.0.0.1', resolve))
  server.unref()
}
const env = {
  ...platformEnv(
    'http://fake.example.internal:8080',
    'postgres://app@db.example.internal:5432/app',
    'redis://cache.example.internal:6379',
  ),
  HEALTH_TIMEOUT_MS: '1000',
  HEALTH_MIN_PROBE_INTERVAL_MS: '0',
}
const { app, logs } = await appWith(env, { isolateProbes: where === 'thread' })
// the first round pays for the SDKs' start; the second is the one timed
await app.inject('/health?fresh')
const started = performance.now()
const res = await app.inject('/health?fresh')
const elapsedMs = performance.now() - started
const errors = logs.lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50)
// the lookups still held by the silent server would keep app.close() waiting; the namespace ends with the process
process.stdout.write(`${JSON.stringify({ status: res.statusCode, elapsedMs, body: res.json(), errors })}\n`, () =>
  process.exit(0),
)

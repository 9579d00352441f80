import t, { type Test } from 'tap'
import openai from '../../src/checks/openai.js'
import sesCheck from '../../src/checks/ses.js'
import type { CheckDefinition } from '../../src/checks/types.js'
import { MAX_BODY_BYTES } from '../../src/checks/lib/transport.js'
import { awsEnv, sesAnswers, startAwsFake } from '../support/fakes/aws-wire.js'
import { startFaultProxy, type FaultMode, type FaultOptions, type FaultProxy } from '../support/fakes/fault-proxy.js'
import type { Fake } from '../support/fakes/http.js'
import { startOpenAIFake } from '../support/fakes/openai.js'
import { eventually, processSockets } from '../support/fakes/sockets.js'
import { checkApp, MARGIN_MS, probe } from '../support/probe.js'
import { sentinel } from '../support/secrets.js'

// The fault matrix of one HTTP provider and one AWS check: each fault behind a TCP proxy in front of its fake gives
// the right reason within the timeout plus a margin, leaves no socket open, and the first probe after it heals passes.

const TIMEOUT_MS = 1000
const FROM = 'noreply@health-test.example.com'
const openaiKey = sentinel('sk-')

// an HTTP answer whose body never ends: what a flooding server sends
const endless = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n')

interface Subject {
  def: CheckDefinition
  start: () => Promise<Fake>
  env: (url: string) => Record<string, string | undefined>
}

const subjects: Subject[] = [
  {
    def: openai,
    start: () => startOpenAIFake(openaiKey.value),
    env: (url) => ({ OPENAI_API_KEY: openaiKey.value, OPENAI_BASE_URL: `${url}/v1` }),
  },
  {
    def: sesCheck,
    start: () => startAwsFake('rest-json', sesAnswers(FROM)),
    env: (url) => awsEnv('AWS_ENDPOINT_URL_SESV2', url, { FROM_EMAIL: FROM }),
  },
]

interface Fault {
  mode: FaultMode
  options?: FaultOptions
  reason: string
  output?: RegExp
}

const faults: Fault[] = [
  { mode: 'refuse', reason: 'REFUSED' },
  { mode: 'hang', reason: 'TIMEOUT' },
  { mode: 'drop-syn', reason: 'TIMEOUT' },
  { mode: 'drip', options: { dripMs: 100 }, reason: 'TIMEOUT' },
  { mode: 'reset', options: { resetAfterBytes: 20 }, reason: 'CONNECTION_RESET' },
  { mode: 'garbage', reason: 'BAD_RESPONSE', output: /not HTTP/ },
  {
    mode: 'flood',
    options: { floodPrefix: endless },
    reason: 'BAD_RESPONSE',
    output: new RegExp(`answered more than ${MAX_BODY_BYTES / 1024 / 1024} MiB`),
  },
]

async function setup(t: Test, s: Subject) {
  const fake = await s.start()
  t.teardown(() => fake.close())
  const proxy = await startFaultProxy({ upstreamPort: fake.port })
  t.teardown(() => proxy.close())
  const { app } = await checkApp(t, [s.def], {
    HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
    HEALTH_MIN_PROBE_INTERVAL_MS: '0',
    ...s.env(`http://127.0.0.1:${proxy.port}`),
  })
  const fresh = async () => {
    const p = await probe(app, s.def.name, '?fresh=1')
    t.ok(p.entry, `${s.def.name} answered`)
    return p
  }
  return { fake, proxy, fresh }
}

// No socket left: none held by the proxy, and none of this process's towards the proxy beyond `baseline`
// (the proxy's own filler connections of drop-syn).
async function noSocketLeft(t: Test, proxy: FaultProxy, baseline: number, what: string): Promise<void> {
  const ours = () => processSockets(proxy.port).length - baseline
  const clean = await eventually(() => proxy.open() === 0 && ours() === 0)
  t.ok(clean, `${what}: no socket left (proxy side ${proxy.open()}, process side ${ours()})`)
}

for (const s of subjects) {
  t.test(`${s.def.name} through a fault proxy`, async (t) => {
    const { proxy, fresh } = await setup(t, s)
    const first = await fresh()
    t.equal(first.entry.status, 'pass', `passes before any fault: ${first.entry.output}`)
    await noSocketLeft(t, proxy, 0, 'a passing probe')

    for (const f of faults) {
      await t.test(f.mode, async (t) => {
        await proxy.set(f.mode, f.options)
        const baseline = processSockets(proxy.port).length
        const p = await fresh()
        t.equal(p.entry.reason, f.reason, `${f.mode}: ${p.entry.output}`)
        if (f.output) t.match(p.entry.output, f.output)
        t.ok(
          p.elapsedMs < TIMEOUT_MS + MARGIN_MS,
          `${f.mode}: answered within the timeout plus a margin (${Math.round(p.elapsedMs)}ms)`,
        )
        await noSocketLeft(t, proxy, baseline, f.mode)
        await proxy.set('pass')
        const healed = await fresh()
        t.equal(healed.entry.status, 'pass', `the first probe after ${f.mode} heals passes: ${healed.entry.output}`)
        await noSocketLeft(t, proxy, 0, `after ${f.mode} healed`)
      })
    }

    await t.test('restart', async (t) => {
      // long enough that a refused probe lands inside it on a loaded machine
      await proxy.set('restart', { restartMs: 3000 })
      const p = await fresh()
      t.equal(p.entry.reason, 'REFUSED', `restart: ${p.entry.output}`)
      await noSocketLeft(t, proxy, 0, 'restart')
      await proxy.passing()
      const healed = await fresh()
      t.equal(healed.entry.status, 'pass', `the first probe after the restart passes: ${healed.entry.output}`)
      await noSocketLeft(t, proxy, 0, 'after the restart')
    })
  })
}

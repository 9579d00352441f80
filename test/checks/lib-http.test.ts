import t, { type Test } from 'tap'
import awsCheck from '../../src/checks/aws.js'
import openai from '../../src/checks/openai.js'
import stripe from '../../src/checks/stripe.js'
import type { CheckDefinition } from '../../src/checks/types.js'
import { MAX_BODY_BYTES } from '../../src/checks/lib/transport.js'
import { awsEnv, startAwsFake } from '../support/fakes/aws-wire.js'
import { FLOOD_BYTES, startFlood } from '../support/fakes/http.js'
import { startOpenAIFake } from '../support/fakes/openai.js'
import { eventually, processSockets } from '../support/fakes/sockets.js'
import { startStripeFake } from '../support/fakes/stripe.js'
import { startFaultProxy } from '../support/fakes/fault-proxy.js'
import { freePort, startSilentServer } from '../support/fakes/tcp.js'
import { MARGIN_MS, probeCheck } from '../support/probe.js'
import { sentinel } from '../support/secrets.js'

const TIMEOUT_MS = 300
const openaiKey = sentinel('sk-')
const stripeKey = sentinel('sk_test_FAKE')
const webhook = sentinel('whsec_FAKE')

// One HTTP provider, the SDK-based Stripe check and one AWS SDK check, each pointed at a loopback URL.
const clients: { name: string; def: CheckDefinition; env: (url: string) => Record<string, string> }[] = [
  {
    name: 'openai (httpRequest)',
    def: openai,
    env: (url) => ({ OPENAI_API_KEY: openaiKey.value, OPENAI_BASE_URL: `${url}/v1` }),
  },
  {
    name: 'stripe (its SDK)',
    def: stripe,
    env: (url) => ({ STRIPE_SECRET_KEY: stripeKey.value, STRIPE_API_URL: url, STRIPE_WEBHOOK_SECRET: webhook.value }),
  },
  {
    name: 'aws (the AWS SDK)',
    def: awsCheck,
    env: (url) => awsEnv('AWS_ENDPOINT_URL_STS', url) as Record<string, string>,
  },
]

const probeEnv = (url: string, env: (url: string) => Record<string, string>) => ({
  HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
  HEALTH_MIN_PROBE_INTERVAL_MS: '0',
  ...env(url),
})

// the SDKs are imported on first use; loading them here keeps that out of the timed probes
await import('stripe')
await import('@aws-sdk/client-sts')

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

for (const c of clients) {
  t.test(`${c.name}: a probe aborted at its timeout leaves no socket and opens no other`, async (t: Test) => {
    const server = await startSilentServer()
    t.teardown(() => server.close())
    const p = await probeCheck(t, c.def, probeEnv(`http://127.0.0.1:${server.port}`, c.env))
    t.equal(p.entry.reason, 'TIMEOUT')
    t.ok(
      p.elapsedMs < TIMEOUT_MS + MARGIN_MS,
      `answered within the timeout plus a margin (${Math.round(p.elapsedMs)}ms)`,
    )
    const closed = await eventually(() => server.open() === 0 && processSockets(server.port).length === 0)
    t.ok(closed, 'no socket to the server once the probe settled, counted by the server and by the kernel')
    // a reconnect (a pool refilling, a retry) came within milliseconds of the abort: give it ten times that
    await sleep(500)
    t.equal(server.accepted(), 1, 'no connection was opened after the abort')
    t.same(processSockets(server.port), [], 'and none is open from this process')
  })

  t.test(`${c.name}: a probe that got its answer keeps no idle keep-alive socket`, async (t: Test) => {
    const fake =
      c.def === openai
        ? await startOpenAIFake(openaiKey.value)
        : c.def === stripe
          ? await startStripeFake(stripeKey.value)
          : await startAwsFake('query', () => ({ body: '<Arn>arn:aws:iam::123456789012:user/health</Arn>' }))
    t.teardown(() => fake.close())
    const p = await probeCheck(t, c.def, { ...probeEnv(fake.url, c.env), HEALTH_TIMEOUT_MS: '5000' })
    t.not(p.entry.reason, 'TIMEOUT', String(p.entry.output))
    for (let round = 0; round < 3; round++) {
      if (round > 0) await p.get('?fresh=1')
      // an idle keep-alive socket lingers for seconds (undici: 4 s, the server: 5 s); a closed one is gone at once
      const closed = await eventually(() => fake.openSockets() === 0 && processSockets(fake.port).length === 0, 2500)
      t.ok(
        closed,
        `round ${round + 1}: no socket left open (server ${fake.openSockets()}, process ${processSockets(fake.port).length})`,
      )
    }
    t.equal(fake.requests.length, 3)
  })

  t.test(`${c.name}: against a host that drops SYNs, no socket stays in SYN_SENT after a probe`, async (t: Test) => {
    // the fault proxy's drop-syn: a listener whose full accept queue makes the kernel drop every further SYN
    const dropper = await startFaultProxy({ upstreamPort: await freePort() })
    t.teardown(() => dropper.close())
    await dropper.set('drop-syn')
    const ours = () => processSockets(dropper.port).filter((s) => !dropper.ownPorts().includes(s.localPort))
    const p = await probeCheck(t, c.def, probeEnv(`http://127.0.0.1:${dropper.port}`, c.env))
    for (let round = 0; round < 4; round++) {
      if (round > 0) {
        const res = await p.get('?fresh=1')
        t.equal(res.json().checks[`${c.def.name}:responseTime`][0].reason, 'TIMEOUT', `round ${round + 1} timed out`)
      } else t.equal(p.entry.reason, 'TIMEOUT')
      const clean = await eventually(() => ours().length === 0, 2000)
      t.ok(
        clean,
        `round ${round + 1}: ${ours().length} sockets left (${ours()
          .map((s) => s.state)
          .join(', ')})`,
      )
    }
    await sleep(500)
    t.same(ours(), [], 'none came back after the last probe')
  })

  t.test(`${c.name}: a body past the cap is BAD_RESPONSE, read no further`, async (t: Test) => {
    for (const declared of [false, true]) {
      const flood = await startFlood({ declared })
      t.teardown(() => flood.close())
      const p = await probeCheck(t, c.def, { ...probeEnv(flood.url, c.env), HEALTH_TIMEOUT_MS: '10000' })
      t.equal(p.entry.reason, 'BAD_RESPONSE', `${declared ? 'with' : 'without'} a Content-Length: ${p.entry.output}`)
      t.match(p.entry.output, `answered more than ${MAX_BODY_BYTES / 1024 / 1024} MiB`)
      t.ok(await eventually(() => flood.openSockets() === 0), 'the connection is closed')
      t.ok(flood.written() < FLOOD_BYTES / 2, `the flood was cut short (${flood.written()} bytes written)`)
    }
  })
}

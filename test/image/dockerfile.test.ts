import t from 'tap'
import { readFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { appWith } from '../support/helpers.js'
import { freePort } from '../support/fakes/tcp.js'
import { parseDockerfile, type Command } from '../support/dockerfile.js'
import { HealthSettings } from '../../src/config.js'

const stages = parseDockerfile(readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8'))
const image = stages.at(-1)!
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string }
  scripts: Record<string, string>
}

function healthcheckScript(): string {
  const command = image.healthcheck?.command
  if (!command || !('exec' in command) || command.exec[0] !== 'node' || command.exec[1] !== '-e')
    throw new Error('no HEALTHCHECK CMD ["node", "-e", ...] in the Dockerfile')
  return command.exec[2]
}

function run(script: string, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, HEALTH_PORT: String(port) },
      stdio: 'ignore',
    })
    child.on('exit', (code) => resolve(code))
  })
}

t.test('the image is multi-stage, production-only, non-root, and exposes the default port', async (t) => {
  t.ok(stages.length >= 2, 'multi-stage')
  t.ok(
    stages.some((s) =>
      s.steps.some((x) => x.kind === 'run' && 'shell' in x.command && /npm prune --omit=dev/.test(x.command.shell)),
    ),
    'dev dependencies pruned',
  )
  t.ok(image.user && !/^(root|0)(:|$)/.test(image.user), `runs as ${image.user}`)
  const port = HealthSettings.properties.HEALTH_PORT.default
  t.same(image.expose, [port], 'exposes the default HEALTH_PORT')
  t.equal(image.env.HEALTH_PORT, String(port), 'and listens on it')
  const cmd = image.cmd && 'exec' in image.cmd ? image.cmd.exec : []
  t.equal(cmd[0], 'node', 'runs node')
  t.equal(cmd.at(-1), 'dist/service.js', 'on the bundled server')
  t.equal(image.stopSignal ?? 'SIGTERM', 'SIGTERM', 'stops with the signal the service drains on')
})

t.test('npm start runs node with the flags the image’s CMD gives it, none or some', async (t) => {
  const cmd = image.cmd && 'exec' in image.cmd ? image.cmd.exec : []
  const start = /\bnode((?:\s+--\S+)*)\s+dist\/cli\.js serve\b/.exec(pkg.scripts.start)
  t.ok(start, `npm start runs node dist/cli.js serve: ${pkg.scripts.start}`)
  t.same(start?.[1].split(/\s+/).filter(Boolean), cmd.slice(1, -1))
})

t.test('every stage runs one pinned Node release, the one package.json supports', async (t) => {
  const images = new Set(stages.map((s) => s.image))
  t.equal(images.size, 1, `one base image for every stage: ${[...images].join(', ')}`)
  const m = /^node:(\d+)\.(\d+)\.(\d+)-bookworm-slim$/.exec(image.image)
  t.ok(m, `${image.image} is pinned to an exact release`)
  // the lowest major release engines.node names (">=24", "^24.9.0", ">=24.9 <25")
  const floor = /\d+/.exec(pkg.engines.node)?.[0]
  t.ok(m && floor && Number(m[1]) >= Number(floor), `Node ${m?.[1]} is at least engines.node ${pkg.engines.node}`)
})

t.test('the HEALTHCHECK points at a real route and needs no curl: it passes against a live server', async (t) => {
  const script = healthcheckScript()
  const path = /\/[a-z]+(?=')/.exec(script)?.[0]
  const { app } = await appWith({})
  t.teardown(() => app.close())
  t.ok(path && app.hasRoute({ method: 'GET', url: path }), `${path} is a route of the app`)
  t.notMatch(script, /curl|wget/)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  t.equal(await run(script, port), 0, 'exit 0 when the service answers')
  t.equal(await run(script, await freePort()), 1, 'exit 1 when nothing answers')
})

t.test(
  'the parser reads continuations, comments and both ENV forms, and refuses what the replay cannot do',
  async (t) => {
    const [stage] = parseDockerfile(
      [
        '# a comment',
        'FROM node:24.9.0-bookworm-slim AS build',
        'ENV A=1 B="two words"',
        'ENV LEGACY a value',
        'RUN npm ci \\',
        '  # a comment inside a continuation',
        '  --no-audit',
        'CMD ["node", "x.js"]',
      ].join('\n'),
    )
    t.equal(stage.name, 'build')
    t.same(stage.env, { A: '1', B: 'two words', LEGACY: 'a value' })
    t.same(
      stage.steps.filter((s) => s.kind === 'run').map((s) => s.command),
      [{ shell: 'npm ci --no-audit' }] satisfies Command[],
    )
    t.same(stage.cmd, { exec: ['node', 'x.js'] })
    const refused: [string, RegExp][] = [
      ['FROM a\nADD x y', /line 2: ADD is not understood/],
      ['FROM a\nCOPY --chown=node:node x y', /unsupported option --chown/],
      ['FROM a\nCOPY $SRC y', /variable substitution/],
      ['FROM a\nUSER node\nRUN true', /RUN after USER/],
      ['FROM a\nCOPY x y z', /destination ending with \//],
      ['FROM a\nCMD ["node", 1]', /JSON array of strings/],
      ['WORKDIR /app', /before the first FROM/],
      ['FROM a\nRUN true \\', /line continuation/],
    ]
    for (const [text, error] of refused) t.throws(() => parseDockerfile(text), error, text.replace(/\n/g, ' / '))
  },
)

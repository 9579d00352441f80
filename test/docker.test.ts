import t from 'tap'
import { readFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { appWith } from './support/helpers.js'
import { freePort } from './support/fakes/tcp.js'
import { HealthSettings } from '../src/config.js'

const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8')
const lines = dockerfile.split('\n')

function healthcheckScript(): string {
  const joined = dockerfile.replace(/\\\n\s*/g, '')
  const m = /^HEALTHCHECK .*CMD \["node", "-e", "(.*)"\]$/m.exec(joined)
  if (!m) throw new Error('no HEALTHCHECK CMD ["node", "-e", ...] in the Dockerfile')
  return JSON.parse(`"${m[1]}"`) as string
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
  t.ok(lines.filter((l) => /^FROM /.test(l)).length >= 2, 'multi-stage')
  t.match(dockerfile, /npm prune --omit=dev/, 'dev dependencies pruned')
  const user = lines.filter((l) => /^USER /.test(l)).pop()
  t.ok(user && !/root|^USER 0/.test(user), `runs as ${user}`)
  t.match(dockerfile, new RegExp(`^EXPOSE ${HealthSettings.properties.HEALTH_PORT.default}$`, 'm'))
  t.match(dockerfile, /^CMD \["node", "dist\/service\.js"\]$/m, 'runs the bundled server')
  t.match(dockerfile, /^COPY .*openapi\.yaml \.\/openapi\.yaml$/m, 'ships the contract it serves at /openapi.yaml')
  t.match(dockerfile, /^COPY .*package\.json \.\/package\.json$/m, 'ships package.json, where the version comes from')
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

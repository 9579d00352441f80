// The Dockerfile replayed (test/support/image.ts): the runtime stage's contents alone, started as the image starts.
import t from 'tap'
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { parse } from 'yaml'
import { freePort } from '../support/fakes/tcp.js'
import {
  UNPRIVILEGED,
  buildImage,
  entriesOf,
  installedPackages,
  repoRoot,
  runInImage,
  sizeOf,
  startImage,
} from '../support/image.js'

// npm ci, the build and the prune take one to two minutes here, more on a busy machine
t.setTimeout(900_000)

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string
  devDependencies: Record<string, string>
}
const image = await buildImage(repoRoot, (line) => t.comment(line))
t.teardown(() => image.remove())

t.test('the image holds only what its stage copies, and nothing of the repository', async (t) => {
  const copiedTo = image.stage.steps.flatMap((s) => (s.kind === 'copy' ? [s.dest.replace(/^\.\/|\/$/g, '')] : []))
  const top = entriesOf(image.workdir)
    .filter((e) => !e.path.includes('/'))
    .map((e) => e.path)
  t.same(top.sort(), [...new Set(copiedTo.map((d) => d.split('/')[0]))].sort(), 'the WORKDIR holds the COPY results')
  t.notOk(existsSync(join(image.workdir, 'src')), 'no src/')
  t.notOk(existsSync(join(image.workdir, 'test')), 'no test/')
  const entries = entriesOf(image.rootfs)
  t.same(
    entries.filter(
      (e) =>
        e.kind === 'file' &&
        /\.tsx?$/.test(e.path) &&
        !/\.d\.[cm]?ts$/.test(e.path) &&
        !e.path.includes('node_modules/'),
    ),
    [],
    'no TypeScript source',
  )
  const root = realpathSync(image.rootfs)
  t.ok(relative(repoRoot, root).startsWith('..'), `${root} lies outside the repository`)
  const leaving = entries
    .filter((e) => e.kind === 'link')
    .filter((e) => relative(root, realpathSync(join(root, e.path))).startsWith('..'))
  t.same(leaving, [], 'no link leads out of the image')
  const ancestors: string[] = []
  for (let d = dirname(image.workdir); d !== dirname(d); d = dirname(d)) ancestors.push(d)
  t.same(
    ancestors.filter((d) => existsSync(join(d, 'node_modules'))),
    [],
    'no node_modules above the WORKDIR: a package the image lacks cannot be found elsewhere',
  )
  const size = sizeOf(image)
  t.comment(
    `image contents: ${(size.bytes / 2 ** 20).toFixed(1)} MiB in ${size.files} files; ${Object.entries(size.byEntry)
      .map(([k, v]) => `${k} ${(v / 2 ** 20).toFixed(1)} MiB`)
      .join(', ')}`,
  )
})

t.test('node_modules holds the production dependencies only', async (t) => {
  const installed = installedPackages(image)
  t.ok(installed.length > 0, `${installed.length} packages`)
  t.same(
    installed.filter((p) => !p.inLock),
    [],
    'every package is one the lockfile names',
  )
  t.same(
    installed.filter((p) => p.dev),
    [],
    'none is needed by the dev dependencies only',
  )
  for (const name of Object.keys(pkg.devDependencies)) {
    const found = installed.find((p) => p.path === `node_modules/${name}`)
    // a dev dependency may also be a production one's dependency (fastify needs ajv) or optional peer (stripe's @types/node)
    t.ok(
      !found || !found.dev,
      `${name}: ${found ? `kept, production needs it${found.devOptional ? ' as an optional peer' : ''}` : 'absent'}`,
    )
  }
})

t.test('the CMD serves as an unprivileged user, the HEALTHCHECK passes, and SIGTERM ends it cleanly', async (t) => {
  const port = String(await freePort())
  const env = { HEALTH_PORT: port, HEALTH_HOST: '127.0.0.1' }
  const before = JSON.stringify(entriesOf(image.rootfs))
  const running = await startImage(image, env)
  let stopped = false
  t.teardown(async () => {
    if (!stopped) await running.stop()
  })
  t.equal(running.url, `http://127.0.0.1:${port}`)
  if (process.getuid?.() === 0) {
    const uids = /^Uid:\s+(.*)$/m.exec(readFileSync(`/proc/${running.pid}/status`, 'utf8'))?.[1].split(/\s+/)
    t.same(uids, Array(4).fill(String(UNPRIVILEGED)), `real, effective, saved and file uid are ${UNPRIVILEGED}`)
  } else t.not(process.getuid?.(), 0, 'this user is unprivileged already')

  const live = await fetch(`${running.url}/live`)
  t.equal(live.status, 200, '/live')
  const ready = await fetch(`${running.url}/ready`)
  t.equal(ready.status, 503, '/ready: nothing is configured')
  t.match(ready.headers.get('content-type'), /json/)
  t.match(await ready.json(), { status: 'fail' }, 'a JSON body')
  const health = await fetch(`${running.url}/health`)
  t.match(health.headers.get('content-type'), /^application\/health\+json/, '/health answers health+json')
  t.match(await health.json(), { status: String, checks: Object })
  const openapi = await fetch(`${running.url}/openapi.yaml`)
  t.equal(openapi.status, 200, '/openapi.yaml')
  t.match(openapi.headers.get('content-type'), /^application\/yaml/)
  t.match(
    parse(await openapi.text()),
    { openapi: '3.1.0', info: { version: pkg.version } },
    'the contract, this version',
  )
  const metrics = await fetch(`${running.url}/metrics`)
  t.equal(metrics.status, 200, '/metrics')
  t.match(await metrics.text(), /^# (HELP|TYPE) /m, 'Prometheus text')

  if (!image.stage.healthcheck) throw new Error('the image has no HEALTHCHECK')
  const check = await runInImage(image, image.stage.healthcheck.command, env)
  t.equal(check.code, 0, `the HEALTHCHECK passes ${check.stderr}`)
  const version = await runInImage(image, { exec: ['node', 'dist/cli.js', '--version'] }, env)
  t.equal(version.stdout.trim(), pkg.version, `the command runs in the image too ${version.stderr}`)

  const exit = await running.stop()
  stopped = true
  t.same(exit, { code: 0, signal: null }, `exit 0 on ${image.stage.stopSignal ?? 'SIGTERM'}`)
  t.notMatch(running.output(), /"level":(50|60)/, 'no error logged')
  t.equal(JSON.stringify(entriesOf(image.rootfs)), before, 'it wrote nothing to its file system')
})

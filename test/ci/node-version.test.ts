import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string) => readFileSync(join(root, path), 'utf8')
const script = join(root, '.ci/node-version')

function nodeVersion(dockerfile?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [script, ...(dockerfile ? [dockerfile] : [])], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    )
  })
}

t.test('CI, the image, engines, @types/node and the bundle target name the same Node', async (t) => {
  const { code, stdout, stderr } = await nodeVersion()
  t.equal(code, 0, stderr)
  const version = stdout.trim()
  t.match(version, /^\d+\.\d+\.\d+$/, 'an exact version')
  const major = version.split('.')[0]

  const froms = read('Dockerfile')
    .split('\n')
    .filter((l) => /^FROM\s/.test(l))
  t.ok(froms.length >= 2, 'build and runtime stages')
  for (const from of froms) t.match(from, new RegExp(`^FROM node:${version.replace(/\./g, '\\.')}-bookworm-slim\\b`))

  const pkg = JSON.parse(read('package.json')) as {
    engines: { node: string }
    devDependencies: Record<string, string>
  }
  t.equal(pkg.engines.node, `^${major}`, 'engines: the major the image runs')
  t.equal(/^\^?(\d+)\./.exec(pkg.devDependencies['@types/node'])?.[1], major, "@types/node: the image's major")
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node: string } }> }
  t.same(lock.packages[''].engines, pkg.engines, 'package-lock.json agrees with package.json')
  t.match(read('scripts/bundle.mjs'), new RegExp(`target: 'node${major}'`), 'the bundle targets that major')

  const run = read('.ci/run')
  t.match(run, /node_version=\$\(bash \.ci\/node-version\)/, '.ci/run takes the version from .ci/node-version')
  t.match(run, /npm install [^\n]*"node@\$node_version"/, 'and installs it from the npm registry')
  t.match(run, /export PATH="\$node_bin:\$PATH"/, 'first on PATH')
})

t.test('node-version refuses a Dockerfile that does not name one exact Node version', async (t) => {
  const dir = t.testdir()
  const cases: Array<[string, string, RegExp]> = [
    ['two versions', 'FROM node:24.1.0-bookworm-slim AS build\nFROM node:24.2.0-bookworm-slim\n', /24\.1\.0 24\.2\.0/],
    ['a floating tag', 'FROM node:24-bookworm-slim AS build\nFROM node:24.1.0-bookworm-slim\n', /exact version/],
    ['another base image', 'FROM node:24.1.0-alpine AS build\nFROM node:24.1.0-bookworm-slim\n', /exact version/],
    ['no FROM line', 'RUN true\n', /no FROM line/],
  ]
  for (const [name, text, message] of cases) {
    const file = join(dir, name.replace(/ /g, '-'))
    writeFileSync(file, text)
    const { code, stdout, stderr } = await nodeVersion(file)
    t.not(code, 0, `${name}: fails`)
    t.equal(stdout, '', `${name}: prints no version`)
    t.match(stderr, message, `${name}: says why`)
  }
  const missing = await nodeVersion(join(dir, 'absent'))
  t.not(missing.code, 0, 'an unreadable Dockerfile fails')
  t.match(missing.stderr, /cannot read/)

  const good = join(dir, 'good')
  writeFileSync(good, 'FROM node:24.1.0-bookworm-slim AS build\nRUN true\nFROM node:24.1.0-bookworm-slim\n')
  t.same(await nodeVersion(good), { code: 0, stdout: '24.1.0\n', stderr: '' }, 'one exact version is printed')
})

// Replays the Dockerfile without a Docker engine: each stage gets a directory of its own as its file system,
// COPY copies from the build context (.dockerignore applied) or an earlier stage, RUN runs there with `sh -c`, and
// the last stage's directory holds only what that stage copies: the image's contents. Its CMD and HEALTHCHECK
// then run as an unprivileged user with the stage's ENV only.
import { spawn } from 'node:child_process'
import { collect, type Ran } from './process.js'
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, delimiter, dirname, join, posix, relative } from 'node:path'
import { createInterface } from 'node:readline'
import { DockerfileError, parseDockerfile, type Command, type Stage } from './dockerfile.js'
import { copyContext, parseDockerignore } from './dockerignore.js'

export const repoRoot = realpathSync(new URL('../..', import.meta.url).pathname)

// nobody: the image's own user (node, uid 1000) need not exist here; any uid but 0 proves the same
export const UNPRIVILEGED = 65534

export interface BuiltImage {
  // the temporary directory holding it all; remove() deletes it
  dir: string
  stage: Stage
  // the last stage's file system, and its WORKDIR in it
  rootfs: string
  workdir: string
  // a directory holding only `node`, the PATH of everything the image runs
  bin: string
  remove(): void
}

export type { Ran }

// The variables a RUN step sees: this machine's (the registry and its certificates), minus what the test runner
// and npm set for their own children.
function buildEnv(bin: string, stageEnv: Record<string, string>): NodeJS.ProcessEnv {
  const own = /^(npm_|TAP|NODE_OPTIONS$|NODE_ENV$|TS_)/
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !own.test(k)))
  return { ...env, ...stageEnv, PATH: [bin, process.env.PATH ?? ''].join(delimiter) }
}

// The test runner adds its own NODE_OPTIONS to every child it sees spawned: `env -i` makes `env` the whole environment.
function exactEnv(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const pairs = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]))
  return [which('env') ?? '/usr/bin/env', '-i', ...pairs, ...argv]
}

function spawnExact(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv) {
  const [command, ...args] = exactEnv(argv, env)
  return spawn(command, args, { cwd, env: {}, stdio: ['ignore', 'pipe', 'pipe'] })
}

function exec(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran> {
  return collect(spawnExact(argv, cwd, env), timeoutMs)
}

function argvOf(command: Command): string[] {
  return 'exec' in command ? command.exec : ['/bin/sh', '-c', command.shell]
}

function which(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((d) => join(d, name))
    .find((p) => existsSync(p))
}

// Runs argv as the unprivileged user when this process is root; otherwise this process's own user already is one.
function asUnprivileged(argv: readonly string[]): string[] {
  if (process.getuid?.() !== 0) return [...argv]
  const setpriv = which('setpriv')
  if (!setpriv) throw new Error('running as root, but setpriv (util-linux) is missing to drop to an unprivileged user')
  return [setpriv, `--reuid=${UNPRIVILEGED}`, `--regid=${UNPRIVILEGED}`, '--clear-groups', '--', ...argv]
}

// Node itself, alone in a directory the unprivileged user can enter (process.execPath may lie in one it cannot).
function nodeBin(dir: string): string {
  const bin = join(dir, 'bin')
  mkdirSync(bin, { mode: 0o755 })
  const node = realpathSync(process.execPath)
  try {
    linkSync(node, join(bin, 'node'))
  } catch {
    copyFileSync(node, join(bin, 'node'))
  }
  chmodSync(join(bin, 'node'), 0o755)
  return bin
}

// A path inside a stage's file system, refusing one that leaves it.
function inside(root: string, path: string, line: number): string {
  const resolved = join(root, posix.resolve('/', path))
  if (relative(root, resolved).startsWith('..')) throw new DockerfileError(line, `${path} leaves the file system`)
  return resolved
}

// The paths a COPY source names: itself, or what its * and ? match in its directory.
function expand(root: string, source: string, line: number): string[] {
  const path = inside(root, source, line)
  if (!/[*?[]/.test(basename(source))) {
    if (!existsSync(path)) throw new DockerfileError(line, `COPY ${source}: no such file in its source`)
    return [path]
  }
  const re = new RegExp(
    `^${basename(source)
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  )
  const found = existsSync(dirname(path)) ? readdirSync(dirname(path)).filter((n) => re.test(n)) : []
  if (found.length === 0) throw new DockerfileError(line, `COPY ${source}: nothing matches in its source`)
  return found.map((n) => join(dirname(path), n))
}

// Replays every stage of the Dockerfile of `repo` in a new temporary directory.
export async function buildImage(repo = repoRoot, log: (line: string) => void = () => {}): Promise<BuiltImage> {
  const stages = parseDockerfile(readFileSync(join(repo, 'Dockerfile'), 'utf8'))
  const ignore = existsSync(join(repo, '.dockerignore')) ? readFileSync(join(repo, '.dockerignore'), 'utf8') : ''
  const dir = mkdtempSync(join(tmpdir(), 'huntaze-image-'))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  try {
    // the unprivileged user must be able to enter it, to reach the image's file system
    chmodSync(dir, 0o755)
    const contextDir = join(dir, 'context')
    copyContext(repo, contextDir, parseDockerignore(ignore))
    const bin = nodeBin(dir)
    const roots = new Map<string, string>()
    let rootfs = ''
    let workdir = '/'
    for (const [i, stage] of stages.entries()) {
      const last = i === stages.length - 1
      rootfs = join(dir, last ? 'rootfs' : `stage-${i}`)
      mkdirSync(rootfs, { mode: 0o755 })
      workdir = '/'
      const env: Record<string, string> = {}
      for (const step of stage.steps) {
        if (step.kind === 'workdir') {
          workdir = posix.resolve(workdir, step.path)
          mkdirSync(inside(rootfs, workdir, step.line), { recursive: true, mode: 0o755 })
        } else if (step.kind === 'env') Object.assign(env, step.vars)
        else if (step.kind === 'copy') {
          const from = step.from === undefined ? contextDir : roots.get(step.from)
          if (!from) throw new DockerfileError(step.line, `COPY --from=${step.from}: no earlier stage of that name`)
          const dest = inside(rootfs, posix.resolve(workdir, step.dest), step.line)
          // a context source is relative to the context, a stage's to that stage's root
          for (const source of step.sources.flatMap((s) => expand(from, s, step.line))) {
            const isDir = statSync(source).isDirectory()
            const target = !isDir && step.dest.endsWith('/') ? join(dest, basename(source)) : dest
            mkdirSync(dirname(target), { recursive: true, mode: 0o755 })
            cpSync(source, target, { recursive: true, verbatimSymlinks: true })
          }
        } else {
          // RUN executes on this machine: an absolute path would be this machine's, not the stage's
          const text = 'exec' in step.command ? step.command.exec.join(' ') : step.command.shell
          if (/(^|[\s=:'"])\/(?!dev\/null)/.test(text))
            throw new DockerfileError(step.line, `the replay cannot run a RUN with an absolute path: ${text}`)
          log(`RUN ${text}`)
          const ran = await exec(argvOf(step.command), inside(rootfs, workdir, step.line), buildEnv(bin, env), 900_000)
          if (ran.code !== 0)
            throw new DockerfileError(step.line, `RUN ${text} exited ${ran.code ?? ran.signal}:\n${ran.stderr}`)
        }
      }
      roots.set(String(i), rootfs)
      if (stage.name) roots.set(stage.name, rootfs)
    }
    const stage = stages.at(-1)!
    return { dir, stage, rootfs, workdir: join(rootfs, workdir), bin, remove }
  } catch (err) {
    remove()
    throw err
  }
}

// The environment of everything the image runs: PATH with node only, the stage's ENV, then `extra`.
function imageEnv(image: BuiltImage, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: image.bin, ...image.stage.env, ...extra }
}

// Runs a command inside the image (its WORKDIR, its ENV, the unprivileged user) and waits for its exit.
export function runInImage(image: BuiltImage, command: Command, env: Record<string, string>, timeoutMs = 60_000) {
  return exec(asUnprivileged(argvOf(command)), image.workdir, imageEnv(image, env), timeoutMs)
}

export interface RunningImage {
  url: string
  pid: number
  output(): string
  // sends the image's STOPSIGNAL and waits for the exit
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

// Starts the image's CMD and resolves once it logs that it listens.
export async function startImage(image: BuiltImage, env: Record<string, string>): Promise<RunningImage> {
  if (!image.stage.cmd) throw new Error('the image has no CMD')
  const child = spawnExact(asUnprivileged(argvOf(image.stage.cmd)), image.workdir, imageEnv(image, env))
  let output = ''
  child.stderr.on('data', (c) => (output += c))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  // whatever happens to the test, the service does not outlive it
  const limit = setTimeout(() => child.kill('SIGKILL'), 180_000)
  void exited.then(() => clearTimeout(limit))
  const url = await new Promise<string>((resolve, reject) => {
    const wait = setTimeout(() => reject(new Error(`no "Server listening" within 60 s:\n${output}`)), 60_000)
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`
      const m = /Server listening at (http:\/\/[^"\s]+)/.exec(line)
      if (m) {
        clearTimeout(wait)
        resolve(m[1])
      }
    })
    void exited.then(({ code, signal }) => reject(new Error(`the CMD exited (${code ?? signal}):\n${output}`)))
  }).catch((err: Error) => {
    child.kill('SIGKILL')
    throw err
  })
  return {
    url,
    pid: child.pid!,
    output: () => output,
    stop: () => {
      child.kill((image.stage.stopSignal ?? 'SIGTERM') as NodeJS.Signals)
      return exited
    },
  }
}

export interface Entry {
  path: string
  size: number
  kind: 'file' | 'dir' | 'link'
}

// Every entry under `dir`, relative to it, links not followed.
export function entriesOf(dir: string): Entry[] {
  const out: Entry[] = []
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = rel ? `${rel}/${name}` : name
      const st = lstatSync(join(dir, path))
      const kind = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file'
      out.push({ path, size: kind === 'file' ? st.size : 0, kind })
      if (kind === 'dir') walk(path)
    }
  }
  walk('')
  return out
}

export interface Size {
  bytes: number
  files: number
  // bytes by the WORKDIR's top-level entries, and by package of node_modules
  byEntry: Record<string, number>
  byPackage: Record<string, number>
}

// The image's contents in bytes (apparent sizes, as a layer's tar holds them).
export function sizeOf(image: BuiltImage): Size {
  const entries = entriesOf(image.rootfs)
  const app = relative(image.rootfs, image.workdir)
  const byEntry: Record<string, number> = {}
  const byPackage: Record<string, number> = {}
  for (const e of entries) {
    const rel = app ? relative(app, e.path) : e.path
    if (rel === '') continue
    const top = rel.startsWith('..') ? e.path : rel.split('/')[0]
    byEntry[top] = (byEntry[top] ?? 0) + e.size
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel)
    if (m) byPackage[m[1]] = (byPackage[m[1]] ?? 0) + e.size
  }
  const files = entries.filter((e) => e.kind !== 'dir')
  return { bytes: files.reduce((s, e) => s + e.size, 0), files: files.length, byEntry, byPackage }
}

export interface InstalledPackage {
  // as the lockfile names it: node_modules/a, node_modules/a/node_modules/@b/c
  path: string
  // the lockfile's flags: dev, needed only by the dev dependencies; devOptional, by them or as an optional peer
  dev: boolean
  devOptional: boolean
  inLock: boolean
}

// Every package of the image's node_modules (nested ones too), against the lockfile of the repository.
export function installedPackages(image: BuiltImage, repo = repoRoot): InstalledPackage[] {
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>
  }
  const out: InstalledPackage[] = []
  const walk = (modules: string) => {
    if (!existsSync(join(image.workdir, modules))) return
    for (const name of readdirSync(join(image.workdir, modules))) {
      if (name.startsWith('.')) continue
      const names = name.startsWith('@')
        ? readdirSync(join(image.workdir, modules, name)).map((n) => `${name}/${n}`)
        : [name]
      for (const n of names) {
        const path = `${modules}/${n}`
        const entry = lock.packages[path]
        out.push({ path, dev: entry?.dev === true, devOptional: entry?.devOptional === true, inLock: !!entry })
        walk(`${path}/node_modules`)
      }
    }
  }
  walk('node_modules')
  return out
}

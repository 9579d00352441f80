import { spawn } from 'node:child_process'
import { collect, type Ran } from './process.js'
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('../..', import.meta.url).pathname

export type { Ran }

export interface BuiltCli {
  // where the package lies: its package.json, dist/cli.js and a link to the repository's node_modules
  dir: string
  run(args: readonly string[], opts?: { env?: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<Ran>
  // every output of every run, to assert what none of them may contain
  outputs: Record<string, string>
  remove(): void
}

function exec(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  return collect(spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }), timeoutMs)
}

// Builds the command as the package ships it (scripts/bundle.mjs) into a directory of its own, so that it never
// races a test that builds dist/, and runs it with only the variables a test gives (and PATH).
export async function buildCli(): Promise<BuiltCli> {
  const dir = mkdtempSync(join(tmpdir(), 'huntaze-cli-'))
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'))
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  const built = await exec(
    process.execPath,
    ['scripts/bundle.mjs', '--outdir', join(dir, 'dist')],
    root,
    process.env,
    120_000,
  )
  if (built.code !== 0) throw new Error(`the bundle failed: ${built.stderr}`)
  const outputs: Record<string, string> = {}
  return {
    dir,
    outputs,
    async run(args, opts = {}) {
      const env = { PATH: process.env.PATH ?? '', HEALTH_ENV_FILE: '/nonexistent/.env', ...opts.env }
      // the file itself, as npx runs it: its shebang decides how node is started
      const ran = await exec(join(dir, 'dist/cli.js'), args, opts.cwd ?? dir, env, opts.timeoutMs ?? 60_000)
      const n = Object.keys(outputs).length / 2 + 1
      outputs[`stdout of run ${n} (${args.join(' ')})`] = ran.stdout
      outputs[`stderr of run ${n} (${args.join(' ')})`] = ran.stderr
      return ran
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

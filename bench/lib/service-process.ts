import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { productionCommand } from './production.js'

export interface ServiceProcess {
  url: string
  pid: number
  stop(): Promise<void>
}

// The production command, the image's `node <flags> dist/service.js` with its ENV, given nothing but PATH and `env`
// besides; `preload` goes before the flags. Resolves once it listens.
export async function startService(
  root: string,
  cwd: string,
  env: Record<string, string>,
  preload: string[] = [],
): Promise<ServiceProcess> {
  const production = productionCommand(root)
  const proc = spawn(process.execPath, [...preload, ...production.nodeArgs, `${root}dist/service.js`], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      ...production.env,
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: '0',
      HEALTH_ENV_FILE: `${cwd}/no.env`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  const limit = setTimeout(() => proc.kill('SIGKILL'), 20_000)
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: proc.stdout }).on('line', (line) => {
        const m = /Server listening at (http:\/\/[^"\s]+)/.exec(line)
        if (m) resolve(m[1])
      })
      void exited.then(() => reject(new Error('dist/service.js exited before listening')))
    })
    return {
      url,
      pid: proc.pid!,
      stop: async () => {
        proc.kill('SIGTERM')
        const force = setTimeout(() => proc.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(force)
      },
    }
  } finally {
    clearTimeout(limit)
  }
}

// What the kernel counts for a process, all threads: resident and peak resident MB, the resident MB that is the
// process's own (anonymous) and file-backed pages (the node binary, shared and reclaimable), CPU ms (user + system).
export function usage(pid: number): { rssMb: number; peakMb: number; anonMb: number; fileMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN)
  // fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses: clock ticks, 100 a second on Linux
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  return {
    rssMb: kb('VmRSS') / 1024,
    peakMb: kb('VmHWM') / 1024,
    anonMb: kb('RssAnon') / 1024,
    fileMb: kb('RssFile') / 1024,
    cpuMs: ticks * 10,
  }
}

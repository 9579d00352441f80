import type { ChildProcess } from 'node:child_process'
import type { Readable } from 'node:stream'

export interface Ran {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

// Collects a child's output until it closes; killed past timeoutMs so that no test waits on a hung child forever.
export function collect(child: ChildProcess & { stdout: Readable; stderr: Readable }, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', reject)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'

// a real redis-server of our own, on a port we choose, so the test can stop and restart it
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let seen = ''
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)))
    child.stdout.on('data', (c) => {
      seen += c
      if (seen.includes('Ready to accept connections')) resolve()
    })
  })
  child.stdout.resume()
  return child
}

export async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGKILL')
  await once(child, 'exit')
}

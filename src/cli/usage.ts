import { readFileSync } from 'node:fs'

// A mistake on the command line (an unknown name, a missing file): exit code 2, never a report.
export class UsageError extends Error {
  override name = 'UsageError'
}

// A file the command was pointed at, or a UsageError saying why it cannot be read.
export function readInput(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable')
    throw new UsageError(`cannot read ${path}: ${why}`)
  }
}

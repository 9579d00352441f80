import { parse } from 'dotenv'
import { readInput } from './usage.js'

// The variables of the files in order, a later file over an earlier one, and the environment over them all.
export function mergedEnv(
  files: readonly string[],
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const fromFiles: Record<string, string> = {}
  for (const file of files) Object.assign(fromFiles, parse(readInput(file)))
  return { ...fromFiles, ...env }
}

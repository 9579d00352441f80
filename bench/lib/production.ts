import { readFileSync } from 'node:fs'
import { parseDockerfile } from '../../test/support/dockerfile.js'

export interface ProductionCommand {
  // what the image's CMD passes to node before the entry point (its V8 flags)
  nodeArgs: string[]
  // the runtime stage's ENV, which the service is measured with too
  env: Record<string, string>
}

// The image's own command, read from the Dockerfile, so the bench measures what production runs.
export function productionCommand(root: string): ProductionCommand {
  const stage = parseDockerfile(readFileSync(`${root}Dockerfile`, 'utf8')).at(-1)!
  const cmd = stage.cmd && 'exec' in stage.cmd ? stage.cmd.exec : undefined
  if (!cmd || cmd[0] !== 'node' || cmd.at(-1) !== 'dist/service.js')
    throw new Error(`the Dockerfile's CMD is not ["node", ..., "dist/service.js"]: ${JSON.stringify(stage.cmd)}`)
  return { nodeArgs: cmd.slice(1, -1), env: stage.env }
}

// The Dockerfile as data: the instructions the replay of test/image/ understands, and a loud error for any other.

export type Command = { exec: string[] } | { shell: string }

export type Step =
  | { kind: 'workdir'; path: string; line: number }
  | { kind: 'env'; vars: Record<string, string>; line: number }
  | { kind: 'copy'; from?: string; sources: string[]; dest: string; line: number }
  | { kind: 'run'; command: Command; line: number }

export interface Stage {
  image: string
  name?: string
  // WORKDIR, ENV, COPY and RUN in their order: each applies to the ones after it
  steps: Step[]
  env: Record<string, string>
  user?: string
  expose: number[]
  healthcheck?: { options: Record<string, string>; command: Command }
  stopSignal?: string
  cmd?: Command
}

export class DockerfileError extends Error {
  override name = 'DockerfileError'
  constructor(line: number, message: string) {
    super(`Dockerfile line ${line}: ${message}`)
  }
}

// Splits on unquoted white space; quotes and backslashes group and escape, as the Dockerfile's own words do.
export function words(text: string): string[] {
  const out: string[] = []
  let word: string | undefined
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\\' && i + 1 < text.length && quote !== "'") word = (word ?? '') + text[++i]
    else if (quote) {
      if (c === quote) quote = undefined
      else word += c
    } else if (c === '"' || c === "'") {
      quote = c
      word = word ?? ''
    } else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word)
      word = undefined
    } else word = (word ?? '') + c
  }
  if (quote) throw new Error(`unclosed ${quote} in: ${text}`)
  if (word !== undefined) out.push(word)
  return out
}

// The exec form (a JSON array of strings) or the shell form of RUN, CMD and HEALTHCHECK CMD.
function command(args: string, line: number): Command {
  if (!args.startsWith('[')) return { shell: args }
  let parsed: unknown
  try {
    parsed = JSON.parse(args)
  } catch {
    throw new DockerfileError(line, `not a JSON array of strings: ${args}`)
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.some((a) => typeof a !== 'string'))
    throw new DockerfileError(line, `not a non-empty JSON array of strings: ${args}`)
  return { exec: parsed as string[] }
}

// `--name=value` options before the arguments, only those listed as known.
function options(list: string[], known: readonly string[], line: number): Record<string, string> {
  const out: Record<string, string> = {}
  while (list[0]?.startsWith('--')) {
    const option = list.shift()!
    const m = /^--([a-z-]+)=(.+)$/.exec(option)
    if (!m || !known.includes(m[1])) throw new DockerfileError(line, `unsupported option ${option}`)
    out[m[1]] = m[2]
  }
  return out
}

function envVars(args: string, line: number): Record<string, string> {
  const list = words(args)
  if (list.length === 0) throw new DockerfileError(line, 'ENV without a variable')
  // the legacy form `ENV NAME value with spaces`
  if (!list[0].includes('=')) return { [list[0]]: args.slice(args.indexOf(list[0]) + list[0].length).trim() }
  return Object.fromEntries(
    list.map((w) => {
      const i = w.indexOf('=')
      if (i <= 0) throw new DockerfileError(line, `ENV expects NAME=value, got ${w}`)
      return [w.slice(0, i), w.slice(i + 1)]
    }),
  )
}

// Logical lines: comments dropped, backslash continuations joined, each with the line it starts on.
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = []
  let pending: { text: string; line: number } | undefined
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim()
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return
    const continued = trimmed.endsWith('\\')
    const part = continued ? trimmed.slice(0, -1) : trimmed
    pending = pending ? { text: `${pending.text.trimEnd()} ${part}`, line: pending.line } : { text: part, line: i + 1 }
    if (!continued) {
      out.push({ text: pending.text.trim(), line: pending.line })
      pending = undefined
    }
  })
  if (pending) throw new DockerfileError(pending.line, 'the last instruction ends with a line continuation')
  return out
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = []
  for (const { text: instruction, line } of logicalLines(text)) {
    const m = /^(\S+)\s*(.*)$/.exec(instruction)!
    const keyword = m[1].toUpperCase()
    const args = m[2]
    if (keyword === 'FROM') {
      const [image, as, name, ...rest] = words(args)
      if (!image || (as !== undefined && (as.toUpperCase() !== 'AS' || !name)) || rest.length)
        throw new DockerfileError(line, `expected FROM image [AS name], got FROM ${args}`)
      stages.push({ image, name, steps: [], env: {}, expose: [] })
      continue
    }
    const stage = stages.at(-1)
    if (!stage) throw new DockerfileError(line, `${keyword} before the first FROM`)
    // the replay does not expand variables: a $ outside a shell command would be copied literally
    if (keyword !== 'RUN' && keyword !== 'CMD' && keyword !== 'HEALTHCHECK' && args.includes('$'))
      throw new DockerfileError(line, `variable substitution is not supported: ${instruction}`)
    switch (keyword) {
      case 'WORKDIR':
        stage.steps.push({ kind: 'workdir', path: args, line })
        break
      case 'ENV': {
        const vars = envVars(args, line)
        stage.steps.push({ kind: 'env', vars, line })
        Object.assign(stage.env, vars)
        break
      }
      case 'COPY': {
        const list = words(args)
        const opts = options(list, ['from'], line)
        const dest = list.pop()
        if (!dest || list.length === 0) throw new DockerfileError(line, `COPY needs a source and a destination`)
        if (list.length > 1 && !dest.endsWith('/'))
          throw new DockerfileError(line, `COPY of several sources needs a destination ending with /`)
        stage.steps.push({ kind: 'copy', from: opts.from, sources: list, dest, line })
        break
      }
      case 'RUN':
        if (stage.user) throw new DockerfileError(line, 'RUN after USER is not supported by the replay')
        stage.steps.push({ kind: 'run', command: command(args, line), line })
        break
      case 'USER':
        stage.user = args
        break
      case 'EXPOSE':
        stage.expose.push(
          ...words(args).map((p) => {
            if (!/^\d+(\/tcp)?$/.test(p)) throw new DockerfileError(line, `EXPOSE expects a TCP port, got ${p}`)
            return Number.parseInt(p, 10)
          }),
        )
        break
      case 'HEALTHCHECK': {
        const m = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(.+)$/.exec(args)
        if (!m) throw new DockerfileError(line, `expected HEALTHCHECK [--option=value ...] CMD ..., got ${args}`)
        const known = ['interval', 'timeout', 'start-period', 'start-interval', 'retries']
        stage.healthcheck = { options: options(words(m[1]), known, line), command: command(m[2], line) }
        break
      }
      case 'STOPSIGNAL':
        stage.stopSignal = args
        break
      case 'CMD':
        stage.cmd = command(args, line)
        break
      default:
        throw new DockerfileError(line, `${keyword} is not understood by the replay: teach test/support/dockerfile.ts`)
    }
  }
  if (stages.length === 0) throw new DockerfileError(1, 'no FROM')
  return stages
}

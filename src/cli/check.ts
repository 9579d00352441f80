import { ConfigError, loadConfig, type Config, type Tier } from '../config.js'
import { checks } from '../checks/index.js'
import type { CheckDefinition } from '../checks/types.js'
import { aggregate } from '../engine/aggregate.js'
import type { CheckResult } from '../engine/result.js'
import { CheckRunner, type RunnerOptions } from '../engine/runner.js'
import { createLogger } from '../logger.js'
import { renderJson, renderText, show } from '../routes/render.js'
import { createSanitizer } from '../sanitize.js'
import { reportMeta } from '../server.js'
import { mergedEnv } from './env-files.js'
import { renderGithub } from './formats/github.js'
import { renderJunit } from './formats/junit.js'
import { OfflineExecutor } from './offline-executor.js'
import { Progress, type ProgressStream } from './progress.js'
import { UsageError } from './usage.js'
import { exitCodeOf } from './verdict.js'

export const formatNames = ['text', 'json', 'junit', 'github'] as const
export type Format = (typeof formatNames)[number]

// As commander gives them: a list or a flag that was not given is undefined.
export interface CheckOptions {
  envFile?: string[]
  only?: string[]
  exclude?: string[]
  tier?: Tier
  offline?: boolean
  timeout?: number
  format: Format
  strict?: boolean
}

export interface CheckIo {
  env: Record<string, string | undefined>
  stdout: { write(text: string): unknown }
  stderr: ProgressStream & NodeJS.WritableStream
}

// The checks the options select, in the catalogue's order; a name that is no check is a usage error.
export function selectChecks({
  only = [],
  exclude = [],
  tier,
}: Pick<CheckOptions, 'only' | 'exclude' | 'tier'>): CheckDefinition[] {
  const known = checks.map((c) => c.name)
  const unknown = [...only, ...exclude].filter((n) => !known.includes(n))
  if (unknown.length > 0)
    throw new UsageError(`no check named ${unknown.join(', ')}; the checks are ${known.join(', ')}`)
  const selected = checks.filter(
    (c) =>
      (only.length === 0 || only.includes(c.name)) &&
      !exclude.includes(c.name) &&
      (tier === undefined || c.tier === tier),
  )
  if (selected.length === 0) throw new UsageError('these options select no check')
  return selected
}

// With --env-file the files and the environment; without, what the service itself reads (the environment, and
// HEALTH_ENV_FILE or ./.env when present).
function configOf(opts: CheckOptions, env: CheckIo['env']): Config {
  const timeout = opts.timeout === undefined ? {} : { HEALTH_TIMEOUT_MS: String(opts.timeout) }
  if (!opts.envFile) return loadConfig({ ...env, ...timeout })
  return loadConfig({ ...mergedEnv(opts.envFile, env), ...timeout }, { envFile: false })
}

function render(format: Format, config: Config, results: CheckResult[], strict = false): string {
  const shown = show(results, 'full')
  switch (format) {
    case 'text':
      return renderText('health', shown, aggregate(results))
    case 'json':
      return renderJson(reportMeta(config), shown) + '\n'
    case 'junit':
      return renderJunit(results, strict)
    case 'github':
      return renderGithub(results, strict)
  }
}

// Runs the selected checks once with the service's engine, writes the report, and answers the exit code: 0 when
// nothing fails, 1 when something does (or the service's own settings are invalid).
export async function runCheck(opts: CheckOptions, io: CheckIo): Promise<number> {
  const selected = selectChecks(opts)
  let config: Config
  let runner: CheckRunner
  try {
    config = configOf(opts, io.env)
    const sanitize = createSanitizer(config.secrets)
    // errors of the checks themselves only: the report says the rest
    const log = createLogger('error', sanitize, io.stderr)
    const offline = opts.offline ? new OfflineExecutor() : undefined
    const executors: RunnerOptions = offline ? { executorFor: () => offline, executors: [offline] } : {}
    // every definition, so HEALTH_DAMPING may name a check that is not selected
    runner = new CheckRunner(checks, config, log, { ...executors, scrub: sanitize })
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    io.stderr.write(`huntaze-health: ${err.message}\n`)
    return 1
  }
  const names = selected.map((c) => c.name)
  const progress = new Progress(io.stderr, names)
  runner.onResult((result) => progress.finished(result))
  progress.start()
  const results = await runner.collect(names)
  progress.end()
  await runner.close()
  io.stdout.write(render(opts.format, config, results, opts.strict))
  return exitCodeOf(results, opts.strict ?? false)
}

#!/usr/bin/env -S node --
// "--": else Node (20 to 24) reads a missing --env-file after the script itself and stops (nodejs/node#54232)
// The huntaze-health command: serve, check, env.
import { writeSync } from 'node:fs'
import { Command, InvalidArgumentError, Option } from 'commander'
import { main, pkg } from '../server.js'
import { formatNames, runCheck, type CheckOptions } from './check.js'
import { lintEnv, renderLint } from './env-lint.js'
import { envTemplate } from './env-template.js'
import { readInput, UsageError } from './usage.js'

// exit codes: 0 all good, 1 something is wrong with the configuration, 2 the command line is wrong
const USAGE = 2

const collect = (value: string, previous: string[] = []) => [...previous, value]
const names = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean),
]
function milliseconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number of milliseconds, at least 1')
  return Number(value)
}

// the report is written synchronously: the process exits right after it, whatever stdout is
const stdout = { write: (text: string) => writeSync(1, text) }

// Runs an action; a UsageError becomes commander's own error line and exit code 2.
function guarded<A extends unknown[]>(command: () => Command, action: (...args: A) => Promise<number>) {
  return async (...args: A) => {
    try {
      process.exit(await action(...args))
    } catch (err) {
      if (err instanceof UsageError) command().error(`error: ${err.message}`, { exitCode: USAGE })
      throw err
    }
  }
}

const program = new Command('huntaze-health')
  .description('Health checks of the Huntaze platform: serve them over HTTP, run them once, check a .env file')
  .version(pkg.version)
  .showHelpAfterError('(add --help for the options)')
  // every usage mistake is exit code 2 (commander's own default is 1, the code of a failing check)
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : USAGE))

program
  .command('serve')
  .description('start the HTTP service (what `npm start` and the container run), configured by the environment')
  .action(async () => {
    await main()
  })

const check: Command = program
  .command('check')
  .description('run the checks once and exit: 0 when none fails, 1 when one does, 2 on bad usage')
  .addOption(
    new Option(
      '--env-file <file>',
      'read settings from FILE (repeatable: a later file wins, the environment wins over all)',
    ).argParser(collect),
  )
  .addOption(new Option('--only <names>', 'run only these checks (comma-separated or repeated)').argParser(names))
  .addOption(
    new Option('--exclude <names>', 'leave these checks out (comma-separated or repeated)')
      .argParser(names)
      .default([]),
  )
  .addOption(
    new Option('--tier <tier>', 'run only the checks of this tier').choices(['critical', 'important', 'optional']),
  )
  .option('--offline', 'judge the settings only (format and cross-setting rules): no connection is opened')
  .addOption(new Option('--timeout <ms>', 'timeout of each probe, over HEALTH_TIMEOUT_MS').argParser(milliseconds))
  .addOption(new Option('--format <format>', 'how the report is written').choices(formatNames).default('text'))
  .option('--strict', 'a warning fails the run too')
  .action(
    guarded(
      () => check,
      (opts: CheckOptions) => runCheck(opts, { env: process.env, stdout, stderr: process.stderr }),
    ),
  )

const env: Command = program
  .command('env')
  .description('print a commented .env template of every setting; with --lint, check a .env file instead')
  .option('--lint <file>', 'report unknown or repeated names and malformed values of FILE, by line; exit 1 if any')
  .option('--strict', 'with --lint, a warning (a name that is no setting and close to none) fails too')
  .action(
    guarded(
      () => env,
      async (opts: { lint?: string; strict?: boolean }) => {
        if (opts.lint === undefined) {
          stdout.write(envTemplate())
          return 0
        }
        const lint = lintEnv(readInput(opts.lint))
        stdout.write(renderLint(opts.lint, lint))
        const failing = lint.problems.filter((p) => p.severity === 'error' || opts.strict)
        return failing.length > 0 ? 1 : 0
      },
    ),
  )

await program.parseAsync()

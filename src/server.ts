import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import { readFile } from 'node:fs/promises'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ConfigError, loadConfig, type Config } from './config.js'
import { checks as allChecks, isCatalogueCheck } from './checks/index.js'
import type { CheckDefinition } from './checks/types.js'
import { systemClock, type Clock } from './engine/clock.js'
import { createFleet } from './fleet/create.js'
import { InlineExecutor } from './engine/inline-executor.js'
import { CheckRunner } from './engine/runner.js'
import { RefreshScheduler, type Timers } from './engine/scheduler.js'
import { History } from './engine/history.js'
import { WorkerExecutor } from './engine/worker-executor.js'
import { RenderCache } from './routes/render-cache.js'
import { createLogger } from './logger.js'
import { createSanitizer } from './sanitize.js'
import type { HealthState } from './state.js'
import type { ReportMeta } from './routes/render.js'
import { liveRoutes } from './routes/live.js'
import { servingRoutes } from './routes/serving.js'
import { readyRoutes } from './routes/ready.js'
import { healthRoutes } from './routes/health.js'
import { historyRoutes } from './routes/history.js'
import { metricsRoutes } from './routes/metrics.js'
import { createRegistry } from './metrics/registry.js'
import { installMetrics } from './metrics/install.js'
import { statusRoutes } from './routes/status.js'
import { badgeRoutes } from './routes/badge.js'
import { BEARER_SCHEME, sharedSchemas } from './routes/schemas.js'
import { guardDisclosure } from './routes/access.js'
import { contractServerOptions, installContract } from './http-contract.js'
import { drainAndClose } from './shutdown.js'
import { Notifier, type NotifierOptions } from './notify/notifier.js'
import { notifies } from './notify/queue.js'

export const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
  description: string
}

export interface BuildOptions {
  // where log lines go (tests capture them); default stdout
  logStream?: NodeJS.WritableStream
  // the check definitions; default all of them
  checks?: readonly CheckDefinition[]
  // collect the routes' schemas into an OpenAPI document (app.swagger()): for `npm run openapi` and the contract test
  openapi?: boolean
  // run the catalogue's probes in a worker thread, as the running service does (main()); default in this thread
  isolateProbes?: boolean
  // the engine's wall clock; tests move it instead of sleeping
  clock?: Clock
  // how long a check's first start() (SDK import, client creation) may take; tests shorten it
  probeStartLimitMs?: number
  // the webhook notifier's waits between retries; tests answer them at once
  notify?: NotifierOptions
  // keep the results fresh in the background once started (state.scheduler.start()); main() follows HEALTH_REFRESH
  background?: boolean
  // the background schedule's timers and randomness; tests drive them
  timers?: Timers
  random?: () => number
}

export { routeList } from './http-contract.js'

// What every report says of the service itself: the routes' answers and the command's.
export function reportMeta(config: Config): ReportMeta {
  return {
    serviceId: config.health.HEALTH_SERVICE_ID,
    version: pkg.version,
    description: 'Health of the Huntaze platform and its dependencies',
  }
}

// Builds the app without listening: what tests use and what main() starts.
export async function build(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const sanitize = createSanitizer(config.secrets)
  const logger = createLogger(config.health.HEALTH_LOG_LEVEL, sanitize, opts.logStream)
  // Fastify gets no logger: probe routes log nothing per request, and a request logger costs more than the route
  const app = Fastify({
    logger: false,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { coerceTypes: 'array' } },
    ...contractServerOptions(),
  }).withTypeProvider<TypeBoxTypeProvider>()
  // health answers are pre-rendered bytes and errors are tiny: compiling a serializer per response schema only slows the start
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))

  const definitions = opts.checks ?? allChecks
  const inline = new InlineExecutor(config, logger, opts.probeStartLimitMs, opts.clock)
  // the compiled service runs the compiled entry next to it; the sources run the TypeScript one
  const entry = new URL(import.meta.url.endsWith('.ts') ? './probe-thread.ts' : './probe-thread.js', import.meta.url)
  const isolated = opts.isolateProbes ? new WorkerExecutor(entry, config, logger, opts.probeStartLimitMs) : undefined
  // only the catalogue's own checks can be found by name in the worker thread; a test's closures run here
  const fleet = createFleet(config, logger, opts.clock ?? systemClock)
  const runner = new CheckRunner(definitions, config, logger, {
    executorFor: (def) => (isolated && isCatalogueCheck(def) ? isolated : inline),
    executors: isolated ? [inline, isolated] : [inline],
    scrub: sanitize,
    clock: opts.clock,
    fleet: fleet?.coordinator,
  })
  const scheduler = opts.background
    ? new RefreshScheduler(runner, {
        maxConcurrent: config.health.HEALTH_MAX_CONCURRENT_PROBES,
        minProbeIntervalMs: config.health.HEALTH_MIN_PROBE_INTERVAL_MS,
        timers: opts.timers,
        random: opts.random,
        log: logger,
      })
    : undefined
  const notifier = new Notifier(config, logger, opts.notify)
  const byName = new Map(definitions.map((d) => [d.name, d]))
  runner.onResult((_result, change) => {
    if (!change || !notifier.active || !notifies(change)) return
    // a global check's change is the fleet's: one replica sends it; a local one is this replica's own
    if (fleet && byName.get(change.name)?.scope === 'global')
      void fleet.coordinator.shouldNotify(change).then((mine) => mine && notifier.notify(change))
    else notifier.notify(change)
  })
  const state: HealthState = {
    runner,
    scheduler,
    notifier,
    history: new History(runner, sanitize),
    meta: reportMeta(config),
    shuttingDown: false,
    rendered: new RenderCache(),
    criticalNames: definitions.filter((d) => d.tier === 'critical').map((d) => d.name),
    allNames: definitions.map((d) => d.name),
    log: logger,
    scrub: sanitize,
    metrics: createRegistry(),
  }
  app.decorate('health', state)

  for (const schema of sharedSchemas) app.addSchema(schema)
  // the running service serves the committed openapi.yaml; generating it would only slow the start
  if (opts.openapi)
    await app.register((await import('@fastify/swagger')).default, {
      refResolver: {
        buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Huntaze health service',
          version: pkg.version,
          description: `${pkg.description}. Bodies follow the IETF health-check draft (application/health+json).`,
        },
        tags: [
          { name: 'probes', description: 'For load balancers and orchestrators' },
          { name: 'health', description: 'For monitors and people' },
          { name: 'metrics', description: 'For Prometheus' },
          { name: 'people', description: 'A status page and badges' },
        ],
        components: {
          securitySchemes: {
            [BEARER_SCHEME]: {
              type: 'http',
              scheme: 'bearer',
              description: 'A token of HEALTH_AUTH_TOKENS: shows the details',
            },
          },
        },
      },
    })

  installContract(app, state, sanitize)
  installMetrics(app, state, { probeThreadRestarts: () => isolated?.restarts ?? 0 })

  guardDisclosure(app, config)
  await app.register(liveRoutes)
  await app.register(servingRoutes)
  await app.register(readyRoutes)
  await app.register(healthRoutes)
  await app.register(historyRoutes)
  await app.register(metricsRoutes)
  await app.register(statusRoutes)
  await app.register(badgeRoutes)
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .header('content-type', 'application/yaml; charset=utf-8')
      .send(await readFile(new URL('../openapi.yaml', import.meta.url))),
  )

  app.addHook('onClose', async () => {
    state.shuttingDown = true
    // first: the results of a closing runner (SHUTTING_DOWN) are no outage to page anybody about
    scheduler?.close()
    await notifier.close()
    await runner.close()
    await fleet?.store.close()
  })
  return app
}

// Listens, warms the critical checks, refreshes the checks in the background, and drains on SIGTERM, SIGINT or SIGHUP.
export async function main(env: Record<string, string | undefined> = process.env): Promise<FastifyInstance> {
  let config: Config
  try {
    config = loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`huntaze-health: ${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
  const app = await build(config, { isolateProbes: true, background: config.health.HEALTH_REFRESH === 'background' })
  const address = await app.listen({ host: config.health.HEALTH_HOST, port: config.health.HEALTH_PORT })
  app.health.log.info(`Server listening at ${address}`)
  // warm the cache so the first /ready is answered from it, then keep every check fresh in the background
  void app.health.runner.collect(app.health.criticalNames)
  app.health.scheduler?.start()

  // SIGTERM, SIGINT and SIGHUP all drain (docs/operations.md#shutdown); a second one cuts the delay short, never
  // the requests in flight
  const hurry = new AbortController()
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) {
      if (!hurry.signal.aborted) app.health.log.info({ signal }, 'second signal: the drain delay is cut short')
      hurry.abort()
      return
    }
    stopping = true
    const { HEALTH_SHUTDOWN_DELAY_MS: delayMs, HEALTH_SHUTDOWN_GRACE_MS: graceMs } = config.health
    const force = setTimeout(() => {
      app.health.log.warn('shutdown grace period over, exiting')
      process.exit(0)
    }, graceMs)
    force.unref()
    const drained = drainAndClose(app, delayMs, hurry.signal)
    app.health.log.info(
      { signal, delayMs },
      'shutting down: /ready answers 503 and every answer Connection: close, then in-flight requests finish',
    )
    drained.then(
      () => process.exit(0),
      (err: Error) => {
        app.health.log.error({ err: err.message }, 'error while closing')
        process.exit(1)
      },
    )
  }
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal))
  return app
}

import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { HealthSettings, loadConfig } from '../../src/config.js'
import { realSettings, root, yamlDocuments, type Manifest } from '../support/manifests.js'
import { parseDockerfile } from '../support/dockerfile.js'

// The Compose Specification's own schema, as the maintained linter dclint ships it (outside its exports map).
const schemaPath = join(root, 'node_modules/dclint/schemas/compose.schema.json')
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>
// it names draft-07 by its https address, which Ajv knows by the http one
const validate = new Ajv({ allErrors: true, strict: false }).compile({
  ...schema,
  $schema: 'http://json-schema.org/draft-07/schema#',
})
const errorsOf = (doc: unknown) =>
  validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)

const [compose] = yamlDocuments('compose.yaml')
const services: Record<string, Manifest> = compose.services
// the service built from this repository, the fleet's replicas of its image, and the datastores
const [appName, app] = Object.entries(services).find(([, s]) => s.build !== undefined)!
const fleet = Object.entries(services).filter(([, s]) => s.image === app.image && s.build === undefined)
const datastores = Object.entries(services).filter(([name, s]) => name !== appName && s.image !== app.image)

t.test('compose.yaml is valid against the Compose Specification', async (t) => {
  t.same(errorsOf(compose), [])
  const broken = structuredClone(compose)
  broken.services[appName].depends_on.postgres.condition = 'healthy'
  broken.services[appName].restart_policy = 'always'
  const errors = errorsOf(broken)
  t.ok(errors.includes(`/services/${appName} must NOT have additional properties`), 'an unknown field is caught')
  t.ok(
    errors.includes(`/services/${appName}/depends_on/postgres/condition must be equal to one of the allowed values`),
    'a wrong value is caught',
  )
})

t.test('the service is built from the Dockerfile and keeps its HEALTHCHECK', async (t) => {
  t.equal(app.build, '.', 'built from the repository')
  t.ok(existsSync(join(root, 'Dockerfile')))
  const image = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8')).at(-1)!
  t.ok(image.healthcheck, 'the image has a HEALTHCHECK')
  t.notOk(app.healthcheck?.disable, 'not disabled here')
  t.equal(app.read_only, true, 'a read-only root filesystem, as in Kubernetes')
})

t.test('the service waits for PostgreSQL and Redis to be healthy, and reaches them by name', async (t) => {
  t.same(
    datastores.map(([name]) => name),
    ['postgres', 'redis'],
  )
  for (const [name, store] of datastores) {
    t.same(app.depends_on[name], { condition: 'service_healthy' }, `waits for ${name}`)
    t.ok(Array.isArray(store.healthcheck?.test) && store.healthcheck.test[0] === 'CMD', `${name} has a healthcheck`)
  }
  t.match(services.postgres.healthcheck.test, ['CMD', 'pg_isready'])
  t.same(services.redis.healthcheck.test, ['CMD', 'redis-cli', 'ping'])
  const env: Record<string, string> = app.environment
  t.equal(new URL(env.DATABASE_URL).hostname, 'postgres', 'DATABASE_URL names the postgres service')
  t.equal(new URL(env.REDIS_URL).hostname, 'redis', 'REDIS_URL names the redis service')
})

t.test('every variable is a real setting that loads, and the details stay on loopback', async (t) => {
  const env: Record<string, string> = app.environment
  for (const name of Object.keys(env)) t.ok(realSettings.has(name), name)
  const config = loadConfig(env, { envFile: false })
  t.same(
    [...config.findings.values()].filter((f) => f.problem === 'malformed'),
    [],
    'no setting is malformed',
  )
  t.equal(config.health.HEALTH_DETAILS, 'always', 'details for every caller: a local try-out')
  const port = HealthSettings.properties.HEALTH_PORT.default
  t.same(app.ports, [`127.0.0.1:${port}:${port}`], 'so the port is published on loopback only')
})

t.test('the fleet profile: three replicas of the image sharing the Redis, each its own name and port', async (t) => {
  t.equal(fleet.length, 3)
  const ports = new Set<string>()
  for (const [name, replica] of fleet) {
    t.same(replica.profiles, ['fleet'], `${name}: only with --profile fleet`)
    t.same(replica.depends_on.redis, { condition: 'service_healthy' }, `${name}: waits for Redis`)
    const env: Record<string, string> = replica.environment
    for (const key of Object.keys(env)) t.ok(realSettings.has(key), `${name}: ${key}`)
    const config = loadConfig(env, { envFile: false })
    t.equal(config.health.HEALTH_SERVICE_ID, name, `${name}: names itself in reports and notifications`)
    t.equal(new URL(config.health.HEALTH_FLEET_REDIS_URL).hostname, 'redis', `${name}: the fleet's Redis by name`)
    t.equal(config.health.HEALTH_FLEET_REDIS_URL, fleet[0][1].environment.HEALTH_FLEET_REDIS_URL, 'one fleet')
    t.equal(replica.read_only, true)
    for (const p of replica.ports as string[]) {
      t.match(p, /^127\.0\.0\.1:\d+:8080$/, `${name}: on loopback`)
      ports.add(p)
    }
  }
  t.equal(ports.size, 3, 'one port each')
})

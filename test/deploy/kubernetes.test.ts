import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HealthSettings, loadConfig, type HealthOptions } from '../../src/config.js'
import { appWith } from '../support/helpers.js'
import { parseDockerfile } from '../support/dockerfile.js'
import {
  kubernetesDir,
  kubernetesManifests,
  modelKey,
  realSettings,
  root,
  schemaErrors,
  unknownFields,
  yamlDocuments,
  type Manifest,
} from '../support/manifests.js'

const manifests = kubernetesManifests()
const one = (kind: string): Manifest => {
  const found = manifests.filter((m) => m.manifest.kind === kind)
  if (found.length !== 1) throw new Error(`expected one ${kind} in ${kubernetesDir}, found ${found.length}`)
  return found[0].manifest
}
const deployment = one('Deployment')
const service = one('Service')
const pdb = one('PodDisruptionBudget')
const secret = one('Secret')
const serviceMonitor = one('ServiceMonitor')
const pod = deployment.spec.template
const container = pod.spec.containers[0]
const probes = ['startupProbe', 'livenessProbe', 'readinessProbe'] as const

// The runtime stage of the Dockerfile, read by the parser the image replay uses.
const runtimeStage = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8')).at(-1)!
const imageEnv = runtimeStage.env
// the official node images create their node user with uid and gid 1000
const imageUsers: Record<string, number> = { node: 1000 }

// What the container's own env sets, then what the image sets, then the setting's default, as the service reads it.
function effective<K extends keyof HealthOptions>(name: K): HealthOptions[K] {
  const env = (container.env as { name: string; value?: string }[] | undefined) ?? []
  const value = env.find((e) => e.name === name)?.value ?? imageEnv[name]
  return loadConfig(value === undefined ? {} : { [name]: value }, { envFile: false }).health[name]
}

// A Kubernetes quantity in mebibytes (memory) or millicores (cpu).
function mebibytes(q: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(q)
  if (!m) throw new Error(`memory quantity ${q}: expected Mi or Gi`)
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1)
}
function millicores(q: string): number {
  const m = /^(\d+)(m?)$/.exec(q)
  if (!m) throw new Error(`cpu quantity ${q}: expected a whole number of cores or of millicores`)
  return Number(m[1]) * (m[2] ? 1 : 1000)
}
const roundUp = (value: number, step: number) => Math.ceil(value / step) * step

t.test('every manifest is a known kind and valid against its Kubernetes API schema', async (t) => {
  t.same(manifests.map((m) => modelKey(m.manifest)).sort(), [
    'apps/v1/Deployment',
    'monitoring.coreos.com/v1/ServiceMonitor',
    'policy/v1/PodDisruptionBudget',
    'v1/Secret',
    'v1/Service',
  ])
  for (const { file, manifest } of manifests) t.same(schemaErrors(manifest), [], `${file}: ${manifest.kind}`)
  const broken = structuredClone(deployment)
  broken.spec.replicas = 'two'
  broken.spec.template.spec.containers[0].ports[0].containerPort = '8080'
  t.same(
    schemaErrors(broken),
    ['/spec/replicas must be integer', '/spec/template/spec/containers/0/ports/0/containerPort must be integer'],
    'a wrong type is caught',
  )
})

t.test('no manifest has a field its kind does not know (kubectl rejects them)', async (t) => {
  t.same(unknownFields(manifests.map((m) => m.manifest)), [])
  const misspelt = structuredClone(deployment)
  misspelt.spec.template.spec.containers[0].readinesProbe = misspelt.spec.template.spec.containers[0].readinessProbe
  delete misspelt.spec.template.spec.containers[0].readinessProbe
  const found = unknownFields([misspelt])
  t.equal(found.length, 1, 'a misspelt field is caught')
  t.match(found[0], /^Deployment huntaze-health: .*'"readinesProbe"' does not exist in type 'IContainer'/)
})

t.test('kustomization.yaml applies the manifests that need nothing installed first', async (t) => {
  const [kustomization] = yamlDocuments(`${kubernetesDir}/kustomization.yaml`)
  const expected = manifests
    .filter((m) => m.manifest.kind !== 'Secret' && m.manifest.kind !== 'ServiceMonitor')
    .map((m) => m.file)
  t.same([...kustomization.resources].sort(), expected.sort(), 'every manifest but the Secret example and the CRD')
  for (const file of kustomization.resources) t.ok(existsSync(join(root, kubernetesDir, file)), `${file} exists`)
  t.same(
    kustomization.images.map((i: { name: string }) => i.name),
    [container.image],
    "it sets the Deployment's image",
  )
})

t.test('two replicas, spread across nodes, and a disruption budget that keeps one', async (t) => {
  const selector = deployment.spec.selector.matchLabels
  t.equal(deployment.spec.replicas, 2)
  t.match(pod.metadata.labels, selector, 'the Deployment selects its pods')
  const byHost = pod.spec.topologySpreadConstraints.find((c: Manifest) => c.topologyKey === 'kubernetes.io/hostname')
  t.match(byHost, { maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' })
  t.same(byHost.labelSelector.matchLabels, selector, 'the spread counts those pods')
  t.same(service.spec.selector, selector, 'the Service selects them')
  t.same(pdb.spec.selector.matchLabels, selector, 'the budget counts them')
  t.equal(pdb.spec.minAvailable, 1)
  t.ok(pdb.spec.minAvailable < deployment.spec.replicas, 'a drain can still evict one replica')
  t.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0, 'a rollout never goes below the replicas')
})

t.test('the ports agree: the image, the container, the probes, the Service and the ServiceMonitor', async (t) => {
  const [port] = container.ports
  t.equal(port.containerPort, effective('HEALTH_PORT'), 'the container port is the one the service listens on')
  t.equal(port.containerPort, HealthSettings.properties.HEALTH_PORT.default, 'the default port')
  for (const probe of probes) t.equal(container[probe].httpGet.port, port.name, `${probe} on the named port`)
  const [servicePort] = service.spec.ports
  t.ok([port.name, port.containerPort].includes(servicePort.targetPort), 'the Service targets the container port')
  t.match(service.metadata.labels, serviceMonitor.spec.selector.matchLabels, 'the ServiceMonitor selects the Service')
  t.equal(serviceMonitor.spec.endpoints[0].port, servicePort.name, 'and scrapes its named port')
})

t.test('every probe path and the scraped path are routes of the service', async (t) => {
  const { app } = await appWith({})
  t.teardown(() => app.close())
  const paths = [...probes.map((p) => container[p].httpGet.path), serviceMonitor.spec.endpoints[0].path]
  for (const path of paths) t.ok(app.hasRoute({ method: 'GET', url: path }), `${path} is a route`)
  t.equal(container.startupProbe.httpGet.path, '/live', 'start-up: the process answers, whatever its dependencies')
  t.equal(container.livenessProbe.httpGet.path, '/live', 'liveness never restarts it for a dependency')
  t.equal(container.readinessProbe.httpGet.path, '/ready')
})

t.test('the readiness probe polls once per cache lifetime and outwaits a cold probe', async (t) => {
  const { readinessProbe } = container
  t.equal(readinessProbe.periodSeconds * 1000, effective('HEALTH_CACHE_TTL_MS'), 'period = HEALTH_CACHE_TTL_MS')
  t.ok(readinessProbe.timeoutSeconds * 1000 > effective('HEALTH_TIMEOUT_MS'), 'timeout > HEALTH_TIMEOUT_MS')
})

t.test('Kubernetes waits for the service to shut down by itself', async (t) => {
  const delayMs = effective('HEALTH_SHUTDOWN_DELAY_MS')
  const graceMs = effective('HEALTH_SHUTDOWN_GRACE_MS')
  const preStop = container.lifecycle?.preStop
  t.ok(preStop === undefined || preStop.sleep, 'a preStop, if any, is a sleep (the image has no shell to rely on)')
  const preStopSeconds: number = preStop?.sleep?.seconds ?? 0
  t.ok(graceMs > delayMs, 'the service drains, then closes, within its own grace')
  const margin = 5
  t.ok(
    pod.spec.terminationGracePeriodSeconds >= preStopSeconds + graceMs / 1000 + margin,
    `terminationGracePeriodSeconds ${pod.spec.terminationGracePeriodSeconds} >= preStop ${preStopSeconds} s + HEALTH_SHUTDOWN_GRACE_MS ${graceMs / 1000} s + ${margin} s`,
  )
})

t.test('the container runs locked down, as the image user', async (t) => {
  const sc = { ...pod.spec.securityContext, ...container.securityContext }
  const user = runtimeStage.user
  t.ok(user && user in imageUsers, `the image runs as ${user}`)
  t.equal(sc.runAsUser, imageUsers[user!], 'runAsUser is that user')
  t.match(sc, {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  })
  t.notOk(sc.privileged, 'not privileged')
  t.notOk(sc.capabilities.add, 'no capability added')
  t.equal(pod.spec.automountServiceAccountToken, false, 'no API token mounted: the service calls no Kubernetes API')
  // a Service named database or smtp in the namespace would inject DATABASE_PORT or SMTP_PORT=tcp://...
  t.ok(realSettings.has('DATABASE_PORT') && realSettings.has('SMTP_PORT'), 'service links would set real settings')
  t.equal(pod.spec.enableServiceLinks, false, 'so there are none')
})

t.test('every variable of the Deployment and of the example Secret is a real setting that loads', async (t) => {
  const env: { name: string; value: string }[] = container.env
  const data: Record<string, string> = secret.stringData
  t.same(container.envFrom, [{ secretRef: { name: secret.metadata.name } }], 'the Deployment reads the Secret')
  for (const name of [...env.map((e) => e.name), ...Object.keys(data)]) t.ok(realSettings.has(name), name)
  const overlap = env.filter((e) => e.name in data).map((e) => e.name)
  t.same(overlap, [], 'the Secret sets nothing the Deployment sets (env would win, unseen)')
  const config = loadConfig({ ...data, ...Object.fromEntries(env.map((e) => [e.name, e.value])) }, { envFile: false })
  const broken = Object.keys(data).filter((name) => config.findings.get(name as never)?.problem === 'malformed')
  t.same(broken, [], 'the placeholders meet the format rules')
  t.equal(secret.data, undefined, 'stringData only: readable, nothing base64 to hide in')
})

t.test('the example Secret holds placeholders, nothing shaped like a real credential', async (t) => {
  const shapes = [/sk_(live|test)_/, /rk_(live|test)_/, /whsec_/, /AKIA[0-9A-Z]{12,}/, /xox[abp]-/, /gh[pousr]_/]
  for (const [name, value] of Object.entries<string>(secret.stringData)) {
    for (const shape of shapes) t.notMatch(value, shape, `${name} is not shaped like ${shape}`)
    t.notMatch(value, /[0-9a-f]{32,}/, `${name} holds no long random-looking hex`)
  }
  for (const [name, value] of Object.entries<string>(secret.stringData))
    if (/^[a-z]+:\/\//.test(value))
      t.match(new URL(value).hostname, /(^|\.)example\.(com|internal)$/, `${name} points at an example host`)
})

t.test('requests and limits follow from the measured figures of deploy/resources.json', async (t) => {
  const measured = JSON.parse(readFileSync(join(root, 'deploy/resources.json'), 'utf8'))
  const { requests, limits } = container.resources
  const memoryRequest = roundUp(measured.rssMiB.everythingConfigured, 16)
  t.equal(mebibytes(requests.memory), memoryRequest, 'memory request: fully configured RSS, up to 16 Mi')
  t.equal(mebibytes(limits.memory), roundUp(memoryRequest * 1.5, 16), 'memory limit: 1.5 x the request')
  const steady =
    measured.cpu.idleMillicores + (measured.cpu.msPer1000Requests * measured.expectedRequestsPerSecond) / 1000
  t.equal(millicores(requests.cpu), roundUp(steady, 50), 'cpu request: steady polling, up to 50m')
  t.equal(millicores(limits.cpu), 1000, 'cpu limit: one core, for the start-up and a cold fan-out')
})

t.test('docs/deploy.md gives the requests and limits the Deployment has', async (t) => {
  const doc = readFileSync(join(root, 'docs/deploy.md'), 'utf8')
  const { requests, limits } = container.resources
  const line = /^Today that gives (.*)$/m.exec(doc)?.[1] ?? ''
  t.match(line, `requests of \`${requests.cpu}\` and \`${requests.memory}\``)
  t.match(line, `limits of \`${limits.cpu}\` core and \`${limits.memory}\``)
})

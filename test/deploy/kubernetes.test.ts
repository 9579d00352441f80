import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { authTokens, HealthSettings, loadConfig, type HealthOptions } from '../../src/config.js'
import { CheckError } from '../../src/checks/types.js'
import { Reason } from '../../src/reasons.js'
import { appWith, bearerToken } from '../support/helpers.js'
import { startService } from '../support/service.js'
import { synthetic } from '../support/checks.js'
import { parseDockerfile } from '../support/dockerfile.js'
import {
  kubernetesDir,
  kubernetesManifests,
  modelKey,
  realSettings,
  root,
  schemaErrors,
  sidecarDir,
  unknownFields,
  yamlDocuments,
  type Manifest,
} from '../support/manifests.js'
import {
  asApiServerReads,
  byIdentity,
  envFilePairs,
  kubectlBinary,
  kubectlKustomize,
  kubectlVersion,
  kustomizeBase64,
  kustomizeSecretHash,
  renderKustomization,
  stageKustomization,
  type KubeObject,
} from '../support/kustomize.js'

const standaloneFiles = kubernetesManifests(kubernetesDir)
const sidecarFiles = kubernetesManifests(sidecarDir)
const manifests = [
  ...standaloneFiles.map((m) => ({ ...m, path: `${kubernetesDir}/${m.file}` })),
  ...sidecarFiles.map((m) => ({ ...m, path: `${sidecarDir}/${m.file}` })),
]
const oneOf = (files: { manifest: Manifest }[], kind: string, where: string): Manifest => {
  const found = files.filter((m) => m.manifest.kind === kind)
  if (found.length !== 1) throw new Error(`expected one ${kind} in ${where}, found ${found.length}`)
  return found[0].manifest
}
const deployment = oneOf(standaloneFiles, 'Deployment', kubernetesDir)
const service = oneOf(standaloneFiles, 'Service', kubernetesDir)
const pdb = oneOf(standaloneFiles, 'PodDisruptionBudget', kubernetesDir)
const serviceMonitor = oneOf(standaloneFiles, 'ServiceMonitor', kubernetesDir)
const pod = deployment.spec.template
const container = pod.spec.containers[0]
const appDeployment = oneOf(sidecarFiles, 'Deployment', sidecarDir)
const appPod = appDeployment.spec.template
const sidecar = (appPod.spec.initContainers ?? []).find((c: Manifest) => c.name === 'huntaze-health')
const appContainers: Manifest[] = appPod.spec.containers
const probes = ['startupProbe', 'livenessProbe', 'readinessProbe'] as const

// The health service's container in each of the two patterns, with its pod and its kustomization.
interface Pattern {
  name: string
  dir: string
  deployment: Manifest
  pod: Manifest
  health: Manifest
  // what the pod's grace period must leave to others before the health service gets SIGTERM: the kubelet stops a
  // sidecar only once the application's containers have exited, within the same period (theirs: Kubernetes'
  // default of 30 s, which adding the sidecar must not shorten)
  stoppedAfterSeconds: number
}
const patterns: Pattern[] = [
  { name: 'standalone', dir: kubernetesDir, deployment, pod: pod.spec, health: container, stoppedAfterSeconds: 0 },
  {
    name: 'sidecar',
    dir: sidecarDir,
    deployment: appDeployment,
    pod: appPod.spec,
    health: sidecar,
    stoppedAfterSeconds: 30,
  },
]

// The template of secret.env, for both patterns, read as kustomize's secretGenerator reads it.
const examplePath = `${kubernetesDir}/secret.env.example`
const exampleText = readFileSync(join(root, examplePath), 'utf8')
const example: Record<string, string> = Object.fromEntries(envFilePairs(exampleText, examplePath))
const kustomizationOf = (dir: string): Manifest => yamlDocuments(`${dir}/kustomization.yaml`)[0]

// The runtime stage of the Dockerfile, read by the parser the image replay uses.
const runtimeStage = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8')).at(-1)!
const imageEnv = runtimeStage.env
// the official node images create their node user with uid and gid 1000
const imageUsers: Record<string, number> = { node: 1000 }
// what the kubelet puts in a variable with fieldRef metadata.name: the pod's name
const podName = 'huntaze-health-7c9d5b8f6d-x2q8n'

// What a container's own env sets, then what the image sets, then the setting's default, as the service reads it.
function effective<K extends keyof HealthOptions>(c: Manifest, name: K): HealthOptions[K] {
  const env = (c.env as { name: string; value?: string }[] | undefined) ?? []
  const value = env.find((e) => e.name === name)?.value ?? imageEnv[name]
  return loadConfig(value === undefined ? {} : { [name]: value }, { envFile: false }).health[name]
}

// A container's env as the service receives it: values, and the pod's name where a variable takes it.
function envValues(c: Manifest): Record<string, string> {
  return Object.fromEntries(
    (c.env as Manifest[]).map((e) => [
      e.name,
      e.valueFrom?.fieldRef?.fieldPath === 'metadata.name' ? podName : e.value,
    ]),
  )
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

// --- what `kubectl apply -k` applies ---

// Each kustomization rendered from a copy with a secret.env made from the example: by kubectl's kustomize where
// kubectl is on PATH, else by the small renderer; with kubectl, the small renderer's output too, to compare.
const kubectl = kubectlBinary()
const renders = patterns.map((p) => {
  const staged = stageKustomization(join(root, p.dir), join(root, examplePath))
  t.teardown(staged.remove)
  const small = renderKustomization(staged.dir)
  return { pattern: p, small, rendered: kubectl ? kubectlKustomize(kubectl, staged.dir) : small }
})
t.comment(
  kubectl
    ? `rendered with kubectl kustomize (${kubectl}: ${kubectlVersion(kubectl)}), and compared with the small renderer`
    : 'no kubectl on PATH: rendered with the small renderer of test/support/kustomize.ts',
)
// kustomize's alphabet for a name's hash suffix: hex digits with 0, 1, 3, a and e replaced
const hashedName = /^huntaze-health-[2456789bcdfghkmt]{10}$/
const imageOf = (rules: Manifest[], name: string) => {
  const rule = rules.find((r) => r.name === name)
  return rule && `${rule.newName}:${rule.newTag}`
}
const podSpecOf = (objects: KubeObject[], name: string) =>
  objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.spec.template.spec

t.test('every manifest is a known kind and valid against its Kubernetes API schema', async (t) => {
  t.same(standaloneFiles.map((m) => modelKey(m.manifest)).sort(), [
    'apps/v1/Deployment',
    'monitoring.coreos.com/v1/ServiceMonitor',
    'policy/v1/PodDisruptionBudget',
    'v1/Service',
  ])
  t.same(
    sidecarFiles.map((m) => modelKey(m.manifest)),
    ['apps/v1/Deployment'],
    'the sidecar: an application Deployment',
  )
  for (const { path, manifest } of manifests) t.same(schemaErrors(manifest), [], `${path}: ${manifest.kind}`)
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

t.test(
  'each kustomization applies its manifests that need nothing installed first, and generates the Secret',
  async (t) => {
    const gitignore = readFileSync(join(root, '.gitignore'), 'utf8').split('\n')
    const resourcesOf: Record<string, string[]> = {
      [kubernetesDir]: standaloneFiles.filter((m) => m.manifest.kind !== 'ServiceMonitor').map((m) => m.file),
      [sidecarDir]: sidecarFiles.map((m) => m.file),
    }
    for (const p of patterns) {
      const kustomization = kustomizationOf(p.dir)
      t.same(
        [...kustomization.resources].sort(),
        resourcesOf[p.dir].sort(),
        `${p.name}: every manifest of ${p.dir}${p.dir === kubernetesDir ? ' but the ServiceMonitor (its CRD)' : ''}`,
      )
      for (const file of kustomization.resources) t.ok(existsSync(join(root, p.dir, file)), `${file} exists`)
      t.match(
        kustomization.secretGenerator,
        [{ name: p.health.envFrom[0].secretRef.name, envs: ['secret.env'] }],
        `${p.name}: the Secret its container reads is generated from secret.env`,
      )
      t.equal(kustomization.secretGenerator.length, 1)
      t.ok(gitignore.includes(`${p.dir}/secret.env`), `${p.dir}/secret.env, the real settings, is gitignored`)
      const images = [...(p.pod.initContainers ?? []), ...p.pod.containers].map((c: Manifest) => c.image)
      t.same(
        kustomization.images.map((i: Manifest) => i.name).sort(),
        images.sort(),
        `${p.name}: it sets the image of every container`,
      )
    }
    const health = (dir: string) => kustomizationOf(dir).images.find((i: Manifest) => i.name === 'huntaze-health')
    t.same(health(sidecarDir), health(kubernetesDir), 'both patterns run the same image of the health service')
    t.ok(existsSync(join(root, examplePath)), 'secret.env.example, the template of secret.env, is there')
    t.notOk(existsSync(join(root, kubernetesDir, 'secret.example.yaml')), 'and no Secret manifest beside it')
  },
)

t.test('what each kustomization renders is valid, and the Secret, its reference and the images agree', async (t) => {
  const all: KubeObject[] = []
  for (const { pattern: p, small, rendered } of renders) {
    if (kubectl)
      t.same(byIdentity(small), byIdentity(rendered), `${p.name}: the small renderer renders what kubectl does`)
    const files = p.dir === kubernetesDir ? standaloneFiles : sidecarFiles
    const resources = kustomizationOf(p.dir).resources as string[]
    t.same(
      rendered.map((o) => `${o.kind}/${o.metadata.name.replace(/-[2456789bcdfghkmt]{10}$/, '-<hash>')}`).sort(),
      [
        'Secret/huntaze-health-<hash>',
        ...files.filter((m) => resources.includes(m.file)).map((m) => `${m.manifest.kind}/${m.manifest.metadata.name}`),
      ].sort(),
      `${p.name}: the resources and the generated Secret`,
    )
    for (const o of rendered) t.same(schemaErrors(asApiServerReads(o)), [], `${p.name}: rendered ${o.kind}`)
    all.push(...rendered.map(asApiServerReads))

    const secrets = rendered.filter((o) => o.kind === 'Secret')
    t.equal(secrets.length, 1, `${p.name}: one Secret`)
    const [secret] = secrets
    t.match(secret.metadata.name, hashedName, 'named huntaze-health-<hash of its content>')
    t.equal(secret.metadata.name, `huntaze-health-${kustomizeSecretHash(secret)}`, "the hash is kustomize's")
    const spec = podSpecOf(rendered, p.deployment.metadata.name)
    const health = [...(spec.initContainers ?? []), ...spec.containers].find(
      (c: Manifest) => c.name === 'huntaze-health',
    )
    t.same(health.envFrom, [{ secretRef: { name: secret.metadata.name } }], 'the container reads that Secret')
    t.same(
      health.env.find((e: Manifest) => e.name === 'HEALTH_SERVICE_ID'),
      { name: 'HEALTH_SERVICE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      'and names itself after its pod',
    )
    const rules = kustomizationOf(p.dir).images
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const source = [...(p.pod.initContainers ?? []), ...p.pod.containers].find((s: Manifest) => s.name === c.name)
      t.equal(c.image, imageOf(rules, source.image), `${c.name} runs the image of images: (newName:newTag)`)
    }
    const data = Object.fromEntries(
      Object.entries<string>(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    )
    t.same(data, example, 'the Secret holds secret.env, value for value')
    for (const key of Object.keys(data)) t.ok(realSettings.has(key), `${key} is a real setting`)
    t.match(secret.metadata.labels, { 'app.kubernetes.io/name': 'huntaze-health' }, "labelled as the service's own")
  }
  t.same(unknownFields(all), [], 'no rendered object has a field its kind does not know')
})

t.test("the small renderer follows kustomize's rules", async (t) => {
  // kustomize's own cases (api/hasher): a Secret of type my-type, without data and with one empty key
  t.equal(kustomizeSecretHash({ kind: 'Secret', type: 'my-type' }), '5gmgkf8578')
  t.equal(kustomizeSecretHash({ kind: 'Secret', type: 'my-type', data: { one: '' } }), '74bd68bm66')
  t.same(
    envFilePairs('\uFEFF# a comment\n\n  INDENTED=1\nQUOTED="a b"\nEQUALS=a=b\r\nEMPTY=\nBARE\n'),
    [
      ['INDENTED', '1'],
      ['QUOTED', '"a b"'],
      ['EQUALS', 'a=b'],
      ['EMPTY', ''],
      ['BARE', ''],
    ],
    'env files: comments skipped, leading blanks trimmed, quotes kept, the value after the first =',
  )
  t.throws(() => envFilePairs('A=1\nA=2\n'), /A is repeated/)
  t.throws(() => envFilePairs('NOT A NAME=1\n'), /not a variable name/)
  t.equal(kustomizeBase64('x'.repeat(51)), 'eHh4'.repeat(17), 'a short value: plain base64')
  t.equal(kustomizeBase64('x'.repeat(54)).split('\n').length, 3, 'a long one: lines of 70, each ending a line')

  const dir = t.testdir({ 'kustomization.yaml': 'resources: [a.yaml]\nnamePrefix: x-\n', 'a.yaml': 'kind: Service\n' })
  t.throws(() => renderKustomization(dir), /namePrefix not implemented by the small renderer/, 'it refuses the rest')

  // the cases the manifests do not show, against kubectl's kustomize where there is one
  const fixture = t.testdir({
    'kustomization.yaml': [
      'resources: [pod.yaml]',
      'secretGenerator:',
      '  - name: s',
      '    envs: [a.env, b.env]',
      'images:',
      '  - {name: one, newName: registry.example.com/one, newTag: "2"}',
      '  - {name: two, newTag: "3"}',
      '  - {name: "example.com:5000/three", digest: "sha256:0123"}',
      '',
    ].join('\n'),
    'a.env': `LONG=${'<&>'.repeat(40)}\nSHORT='quoted'\n`,
    'b.env': `# only a comment and a blank line\n\n  OTHER=x=y \n`,
    'pod.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: d}',
      'spec:',
      '  selector: {matchLabels: {a: b}}',
      '  template:',
      '    metadata: {labels: {a: b}}',
      '    spec:',
      '      imagePullSecrets: [{name: s}]',
      '      initContainers: [{name: i, image: "one:1@sha256:abcd", envFrom: [{secretRef: {name: s}}]}]',
      '      containers:',
      '        - name: c',
      '          image: two',
      '          env: [{name: V, valueFrom: {secretKeyRef: {name: s, key: SHORT}}}]',
      '        - {name: e, image: "example.com:5000/three:1"}',
      '        - {name: f, image: four}',
      '      volumes: [{name: v, secret: {secretName: s}}, {name: w, secret: {secretName: other}}]',
      '',
    ].join('\n'),
  })
  const small = renderKustomization(fixture)
  const deploymentOut = small.find((o) => o.kind === 'Deployment')!.spec.template.spec
  const secretName = small.find((o) => o.kind === 'Secret')!.metadata.name
  t.same(
    [deploymentOut.initContainers[0].image, ...deploymentOut.containers.map((c: Manifest) => c.image)],
    ['registry.example.com/one:2', 'two:3', 'example.com:5000/three@sha256:0123', 'four'],
    'images: a new name and tag replace the tag and the digest; a registry port is not a tag',
  )
  t.same(
    [
      deploymentOut.imagePullSecrets[0].name,
      deploymentOut.initContainers[0].envFrom[0].secretRef.name,
      deploymentOut.containers[0].env[0].valueFrom.secretKeyRef.name,
      deploymentOut.volumes[0].secret.secretName,
      deploymentOut.volumes[1].secret.secretName,
    ],
    [secretName, secretName, secretName, secretName, 'other'],
    'every reference to the generated Secret follows its new name, and only those',
  )
  if (kubectl) t.same(byIdentity(small), byIdentity(kubectlKustomize(kubectl, fixture)), 'as kubectl renders it')
  else t.comment('no kubectl on PATH: the fixture is not compared with kubectl')
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
  t.match(
    appPod.metadata.labels,
    appDeployment.spec.selector.matchLabels,
    'the application Deployment selects its pods',
  )
})

t.test('the ports agree: the image, the container, the probes, the Service and the ServiceMonitor', async (t) => {
  for (const p of patterns) {
    const [port] = p.health.ports
    t.equal(port.containerPort, effective(p.health, 'HEALTH_PORT'), `${p.name}: the port the service listens on`)
    t.equal(port.containerPort, HealthSettings.properties.HEALTH_PORT.default, 'the default port')
    for (const probe of probes) t.equal(p.health[probe].httpGet.port, port.name, `${probe} on the named port`)
  }
  const [port] = container.ports
  const [servicePort] = service.spec.ports
  t.ok([port.name, port.containerPort].includes(servicePort.targetPort), 'the Service targets the container port')
  t.match(service.metadata.labels, serviceMonitor.spec.selector.matchLabels, 'the ServiceMonitor selects the Service')
  t.equal(serviceMonitor.spec.endpoints[0].port, servicePort.name, 'and scrapes its named port')

  const sidecarPort = sidecar.ports[0].containerPort
  for (const app of appContainers) {
    // a port name resolves among the probed container's own ports: the sidecar's is a number here
    t.equal(app.readinessProbe.httpGet.port, sidecarPort, `${app.name}'s readiness asks the sidecar's port`)
    const ports: number[] = (app.ports ?? []).map((q: Manifest) => q.containerPort)
    t.notOk(ports.includes(sidecarPort), `${app.name} does not listen on it: the pod's network is shared`)
  }
})

t.test('every probe path and the scraped path are routes of the service', async (t) => {
  const { app } = await appWith({})
  t.teardown(() => app.close())
  const paths = [
    ...patterns.flatMap((p) => probes.map((probe) => p.health[probe].httpGet.path)),
    ...appContainers.map((c) => c.readinessProbe.httpGet.path),
    serviceMonitor.spec.endpoints[0].path,
  ]
  for (const path of new Set(paths)) t.ok(app.hasRoute({ method: 'GET', url: path }), `${path} is a route`)
  for (const p of patterns) {
    t.equal(p.health.startupProbe.httpGet.path, '/live', `${p.name}: start-up: the process answers, whatever else`)
    t.equal(p.health.livenessProbe.httpGet.path, '/live', `${p.name}: liveness never restarts it for a dependency`)
    t.equal(p.health.readinessProbe.httpGet.path, '/serving', `${p.name}: its own readiness is /serving`)
  }
  for (const c of appContainers) t.equal(c.readinessProbe.httpGet.path, '/ready', `${c.name}: the platform's readiness`)
})

t.test("the health service's own readiness never depends on the dependencies it reports on", async (t) => {
  t.not(container.readinessProbe.httpGet.path, '/ready', 'the standalone readinessProbe is not /ready')
  t.not(sidecar.readinessProbe.httpGet.path, '/ready', "nor the sidecar's")
  const { def } = synthetic('database', async () => {
    throw new CheckError(Reason.REFUSED, 'connection refused')
  })
  const { app } = await appWith({}, { checks: [{ ...def, tier: 'critical' }] })
  t.teardown(() => app.close())
  t.equal((await app.inject('/ready')).statusCode, 503, 'with a critical dependency down, /ready is 503')
  for (const p of patterns) {
    const path = p.health.readinessProbe.httpGet.path
    t.equal((await app.inject(path)).statusCode, 200, `${p.name}: ${path} is 200, so the replica stays in service`)
  }
  app.health.shuttingDown = true
  for (const p of patterns) {
    const path = p.health.readinessProbe.httpGet.path
    t.equal((await app.inject(path)).statusCode, 503, `${p.name}: ${path} is 503 once shutdown begins`)
  }
})

t.test('the readiness probes poll at the pace of what they ask', async (t) => {
  const onReady = appContainers.map((c) => c.readinessProbe)
  t.ok(onReady.length > 0, 'the application asks /ready')
  for (const probe of onReady) {
    t.equal(probe.httpGet.path, '/ready')
    t.equal(
      probe.periodSeconds * 1000,
      effective(sidecar, 'HEALTH_CACHE_TTL_MS'),
      '/ready: period = HEALTH_CACHE_TTL_MS',
    )
    t.ok(probe.timeoutSeconds * 1000 > effective(sidecar, 'HEALTH_TIMEOUT_MS'), 'timeout > HEALTH_TIMEOUT_MS')
  }
  for (const p of patterns) {
    const { readinessProbe: ready, livenessProbe: live } = p.health
    t.ok(
      ready.periodSeconds * ready.failureThreshold < live.periodSeconds * live.failureThreshold,
      `${p.name}: a replica that stops answering leaves the Service before liveness restarts it`,
    )
  }
})

t.test('Kubernetes waits for the service to shut down by itself', async (t) => {
  const margin = 5
  for (const p of patterns) {
    const delayMs = effective(p.health, 'HEALTH_SHUTDOWN_DELAY_MS')
    const graceMs = effective(p.health, 'HEALTH_SHUTDOWN_GRACE_MS')
    const preStop = p.health.lifecycle?.preStop
    t.ok(preStop === undefined || preStop.sleep, 'a preStop, if any, is a sleep (the image has no shell to rely on)')
    const preStopSeconds: number = preStop?.sleep?.seconds ?? 0
    t.ok(graceMs > delayMs, `${p.name}: the service drains, then closes, within its own grace`)
    const own = preStopSeconds + graceMs / 1000 + margin
    const before = p.stoppedAfterSeconds
    t.ok(
      p.pod.terminationGracePeriodSeconds >= before + own,
      `${p.name}: terminationGracePeriodSeconds ${p.pod.terminationGracePeriodSeconds} >= ${before ? `the application's ${before} s + ` : ''}preStop ${preStopSeconds} s + HEALTH_SHUTDOWN_GRACE_MS ${graceMs / 1000} s + ${margin} s`,
    )
  }
  t.equal(
    effective(sidecar, 'HEALTH_SHUTDOWN_DELAY_MS'),
    0,
    'the sidecar drains nothing: it is stopped once the application has exited, and nothing asks it any more',
  )
})

t.test(
  'the health service runs as a native sidecar, started before the application and stopped after it',
  async (t) => {
    t.ok(sidecar, 'among the init containers')
    t.equal(sidecar.restartPolicy, 'Always', 'restartPolicy: Always makes it a sidecar')
    t.notOk(
      appContainers.some((c) => c.name === sidecar.name),
      'not an ordinary container (it would start alongside)',
    )
    t.ok(sidecar.startupProbe, 'a startup probe: the application starts once it passes')
  },
)

t.test('the container runs locked down, as the image user', async (t) => {
  const user = runtimeStage.user
  t.ok(user && user in imageUsers, `the image runs as ${user}`)
  for (const p of patterns) {
    const sc = { ...p.pod.securityContext, ...p.health.securityContext }
    t.equal(sc.runAsUser, imageUsers[user!], `${p.name}: runAsUser is that user`)
    t.match(sc, {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    })
    t.notOk(sc.privileged, 'not privileged')
    t.notOk(sc.capabilities.add, 'no capability added')
    t.equal(p.pod.automountServiceAccountToken, false, 'no API token mounted: the service calls no Kubernetes API')
    // a Service named database or smtp in the namespace would inject DATABASE_PORT or SMTP_PORT=tcp://...
    t.equal(p.pod.enableServiceLinks, false, 'no service links')
  }
  t.ok(realSettings.has('DATABASE_PORT') && realSettings.has('SMTP_PORT'), 'service links would set real settings')
})

t.test("each replica's HEALTH_SERVICE_ID is its pod's name", async (t) => {
  t.ok(realSettings.has('HEALTH_SERVICE_ID'))
  for (const p of patterns)
    t.same(
      p.health.env.filter((e: Manifest) => e.name === 'HEALTH_SERVICE_ID'),
      [{ name: 'HEALTH_SERVICE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      `${p.name}: from the downward API`,
    )
})

t.test('every variable of the Deployments and of secret.env.example is a real setting that loads', async (t) => {
  for (const p of patterns) {
    const env = envValues(p.health)
    const generator = kustomizationOf(p.dir).secretGenerator[0].name
    t.same(p.health.envFrom, [{ secretRef: { name: generator } }], `${p.name}: the container reads the Secret`)
    for (const name of [...Object.keys(env), ...Object.keys(example)]) t.ok(realSettings.has(name), name)
    const overlap = Object.keys(env).filter((name) => name in example)
    t.same(overlap, [], 'the Secret sets nothing the Deployment sets (env would win, unseen)')
    // the placeholder token is refused at start on purpose (the test of the service started with it): a real one
    const config = loadConfig({ ...example, ...env, HEALTH_AUTH_TOKENS: bearerToken() }, { envFile: false })
    const broken = Object.keys({ ...example, ...env }).filter(
      (name) => config.findings.get(name as never)?.problem === 'malformed',
    )
    t.same(broken, [], 'the placeholders meet the format rules')
    t.equal(config.health.HEALTH_SERVICE_ID, podName, "the service id is the pod's name")
  }
})

t.test('secret.env.example holds placeholders, nothing shaped like a real credential', async (t) => {
  const shapes = [/sk_(live|test)_/, /rk_(live|test)_/, /whsec_/, /AKIA[0-9A-Z]{12,}/, /xox[abp]-/, /gh[pousr]_/]
  for (const [name, value] of Object.entries(example)) {
    for (const shape of shapes) t.notMatch(value, shape, `${name} is not shaped like ${shape}`)
    t.notMatch(value, /[0-9a-f]{32,}/, `${name} holds no long random-looking hex`)
    t.notMatch(value, /^(["']).*\1$/, `${name} is not quoted (kustomize would keep the quotes)`)
  }
  for (const [name, value] of Object.entries(example))
    if (/^[a-z]+:\/\//.test(value))
      t.match(new URL(value).hostname, /(^|\.)example\.(com|internal)$/, `${name} points at an example host`)
  t.equal(example.HEALTH_AUTH_TOKENS, 'replace-with-openssl-rand-hex-32', 'the token is the placeholder')
  t.match(exampleText, /refuses this placeholder/, 'which the service refuses at start, as the file says')
  t.match(exampleText, /openssl rand -hex 32/, 'with how to make a real one')
})

t.test(
  'the service started with secret.env.example as it is exits 1, naming the token, never printing it',
  async (t) => {
    const srv = startService({ ...example })
    const code = await new Promise<number | null>((resolve) => srv.child.once('exit', resolve))
    srv.port.catch(() => undefined)
    t.equal(code, 1, 'it does not start')
    t.match(srv.errors(), /HEALTH_AUTH_TOKENS: token 1 of 1 is a placeholder, not a generated secret/)
    t.notOk(`${srv.output()}${srv.errors()}`.includes(example.HEALTH_AUTH_TOKENS), 'the placeholder is not printed')
    const replaced = loadConfig({ ...example, HEALTH_AUTH_TOKENS: bearerToken() }, { envFile: false })
    t.equal(authTokens(replaced.health.HEALTH_AUTH_TOKENS).length, 1, 'with a generated token in its place, it loads')
  },
)

t.test('requests and limits follow from the measured figures of deploy/resources.json', async (t) => {
  const measured = JSON.parse(readFileSync(join(root, 'deploy/resources.json'), 'utf8'))
  const memoryRequest = roundUp(measured.rssMiB.everythingConfigured, 16)
  const steady =
    measured.cpu.idleMillicores + (measured.cpu.msPer1000Requests * measured.expectedRequestsPerSecond) / 1000
  for (const p of patterns) {
    const { requests, limits } = p.health.resources
    t.equal(mebibytes(requests.memory), memoryRequest, `${p.name}: memory request: fully configured RSS, up to 16 Mi`)
    t.equal(mebibytes(limits.memory), roundUp(memoryRequest * 1.5, 16), 'memory limit: 1.5 x the request')
    t.equal(millicores(requests.cpu), roundUp(steady, 50), 'cpu request: steady polling, up to 50m')
    t.equal(millicores(limits.cpu), 1000, 'cpu limit: one core, for the start-up and a cold fan-out')
  }
})

t.test('docs/deploy.md gives the requests and limits the Deployment has', async (t) => {
  const doc = readFileSync(join(root, 'docs/deploy.md'), 'utf8')
  const { requests, limits } = container.resources
  const line = /^Today that gives (.*)$/m.exec(doc)?.[1] ?? ''
  t.match(line, `requests of \`${requests.cpu}\` and \`${requests.memory}\``)
  t.match(line, `limits of \`${limits.cpu}\` core and \`${limits.memory}\``)
})

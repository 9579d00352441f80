import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import ts from 'typescript'
import { parseAllDocuments } from 'yaml'
import { Deployment } from 'kubernetes-models/apps/v1'
import { Secret, Service } from 'kubernetes-models/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1'
import { HealthSettings, settingNames } from '../../src/config.js'

export const root = fileURLToPath(new URL('../../', import.meta.url))
export const kubernetesDir = 'deploy/kubernetes'

// Every YAML document of a file, as untyped data (like JSON.parse's): the tests' assertions check its shape.
export function yamlDocuments(path: string) {
  // merge keys (<<), which Compose and kubectl both read
  return parseAllDocuments(readFileSync(join(root, path), 'utf8'), { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`)
    return doc.toJS()
  })
}

export type Manifest = ReturnType<typeof yamlDocuments>[number]

// The two ways to run it: the standalone service (the root kustomization) and the sidecar of an application's pods.
export const sidecarDir = `${kubernetesDir}/sidecar`

// The Kubernetes objects of one directory of deploy/kubernetes/ (not its subdirectories), with the file each comes
// from, relative to that directory as a kustomization names it (kustomization.yaml is kustomize's own).
export function kubernetesManifests(dir = kubernetesDir): { file: string; manifest: Manifest }[] {
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith('.yaml') && f.name !== 'kustomization.yaml')
    .map((f) => f.name)
    .sort()
    .flatMap((file) => yamlDocuments(`${dir}/${file}`).map((manifest) => ({ file, manifest })))
}

// What each kind is validated with: the library's model (its JSON schema) and its type (where unknown fields show).
export const models = {
  'apps/v1/Deployment': { model: Deployment, type: ['kubernetes-models/apps/v1', 'IDeployment'] },
  'v1/Service': { model: Service, type: ['kubernetes-models/v1', 'IService'] },
  'v1/Secret': { model: Secret, type: ['kubernetes-models/v1', 'ISecret'] },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    type: ['kubernetes-models/policy/v1', 'IPodDisruptionBudget'],
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    model: ServiceMonitor,
    type: ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', 'IServiceMonitor'],
  },
} as const

export type ModelKey = keyof typeof models
export const modelKey = (m: Manifest) => `${m.apiVersion}/${m.kind}`
export const isModelKey = (key: string): key is ModelKey => key in models

// The schema's errors for one manifest, as "path message" lines; none when it is valid.
export function schemaErrors(manifest: Manifest): string[] {
  const key = modelKey(manifest)
  if (!isModelKey(key)) return [`no schema for ${key}`]
  try {
    new models[key].model(manifest as never).validate()
    return []
  } catch (err) {
    const errors = (err as { errors?: { instancePath: string; message?: string }[] }).errors
    return errors ? errors.map((e) => `${e.instancePath} ${e.message}`) : [String(err)]
  }
}

// The schemas accept any extra field, where kubectl's strict field validation rejects it: the library's types
// do not, so each manifest is type-checked as an object literal of its kind's type, which names every unknown field.
export function unknownFields(manifests: Manifest[]): string[] {
  const file = join(root, 'test/deploy/__manifests__.ts')
  const source = manifests
    .map((m, i) => {
      const key = modelKey(m)
      if (!isModelKey(key)) return `// no type for ${key}\n`
      const [module, type] = models[key].type
      return `import type { ${type} as T${i} } from '${module}'\nexport const m${i}: T${i} = ${JSON.stringify(m)}`
    })
    .join('\n')
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  }
  const base = ts.createCompilerHost(options)
  const host: ts.CompilerHost = {
    ...base,
    fileExists: (f) => f === file || base.fileExists(f),
    readFile: (f) => (f === file ? source : base.readFile(f)),
    getSourceFile: (f, lang, ...rest) =>
      f === file ? ts.createSourceFile(f, source, lang) : base.getSourceFile(f, lang, ...rest),
  }
  const program = ts.createProgram([file], options, host)
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => {
      // two lines per manifest: its type's import, then the literal
      const line = d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line
      const m = manifests[Math.floor(line / 2)]
      return `${m.kind} ${m.metadata?.name}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`
    })
}

// The names the service reads from its environment: the platform's settings and its own.
export const realSettings: ReadonlySet<string> = new Set([...settingNames, ...Object.keys(HealthSettings.properties)])

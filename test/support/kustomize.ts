// What `kubectl apply -k` applies: a kustomization rendered by kubectl's own kustomize where a kubectl binary is on
// PATH, and otherwise by the small renderer below, which implements the subset of kustomize that
// deploy/kubernetes/ uses, with kustomize's own rules, and refuses any other field of a kustomization.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { accessSync, constants, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, delimiter, join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'

// A Kubernetes object, as untyped data (like JSON.parse's): the tests' assertions check its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = Record<string, any>

function documentsOf(text: string, from: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${from}: ${doc.errors.map((e) => e.message).join('; ')}`)
      return doc.toJS() as KubeObject | null
    })
    .filter((o): o is KubeObject => o !== null)
}

// --- kubectl ---

// The kubectl binary on PATH, if there is one.
export function kubectlBinary(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, process.platform === 'win32' ? 'kubectl.exe' : 'kubectl')
    try {
      accessSync(candidate, constants.X_OK)
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not there, or not executable
    }
  }
  return undefined
}

// `kubectl kustomize <dir>`: kubectl's built-in kustomize, what `kubectl apply -k <dir>` applies.
export function kubectlKustomize(kubectl: string, dir: string): KubeObject[] {
  const out = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return documentsOf(out, `kubectl kustomize ${dir}`)
}

export function kubectlVersion(kubectl: string): string {
  return execFileSync(kubectl, ['version', '--client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .trim()
    .replace(/\n/g, ', ')
}

// --- kustomize's rules, for the subset used ---

// An env file of a secretGenerator, read as kustomize reads it (api/kv): a line is trimmed of its leading blanks;
// an empty line or one starting with # is skipped; the key is what comes before the first =, and must be an
// environment variable name; the value is everything after it, as it is (quotes and trailing blanks included);
// a line without = has the empty value.
export function envFilePairs(text: string, from = 'env file'): [string, string][] {
  const pairs: [string, string][] = []
  const lines = text.replace(/^\uFEFF/, '').split('\n')
  if (lines.at(-1) === '') lines.pop()
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '')
    if (line === '' || line.startsWith('#')) continue
    const at = line.indexOf('=')
    const key = at === -1 ? line : line.slice(0, at)
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(key)) throw new Error(`${from}:${i + 1}: ${key} is not a variable name`)
    if (pairs.some(([k]) => k === key)) throw new Error(`${from}:${i + 1}: ${key} is repeated`)
    pairs.push([key, at === -1 ? '' : line.slice(at + 1)])
  }
  return pairs
}

// Go's json.Marshal, as kustomize's hasher calls it: object keys sorted, no blanks, and <, >, &, U+2028 and U+2029
// escaped.
function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
        )
      : Array.isArray(v)
        ? v.map(sorted)
        : v
  const escapes: Record<string, string> = {
    '<': '\\u003c',
    '>': '\\u003e',
    '&': '\\u0026',
    '\u2028': '\\u2028',
    '\u2029': '\\u2029',
  }
  return JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c])
}

// The suffix kustomize gives a generated Secret's name (api/hasher): the sha256 of the JSON of its kind, name, type
// and data (and stringData when it has some), in hex, cut to 10 characters, with 0, 1, 3, a and e replaced by g, h,
// k, m and t so that it never reads as a word or a number. The name is always empty there: kustomize looks it up
// as a single field called "metadata/name", which no object has (so two Secrets of the same data get the same
// suffix, as kubectl's output shows).
export function kustomizeSecretHash(secret: KubeObject): string {
  const encoded: Record<string, unknown> = {
    kind: 'Secret',
    type: secret.type ?? '',
    name: '',
    data: secret.data ?? '',
  }
  if (secret.stringData && typeof secret.stringData === 'object') encoded.stringData = secret.stringData
  const hex = createHash('sha256').update(goJson(encoded)).digest('hex')
  const letters: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' }
  return hex.slice(0, 10).replace(/[013ae]/g, (c) => letters[c])
}

// A generated Secret's value as kustomize writes it (api/internal/generators): base64, and when that is 70
// characters or more, cut into lines of 70, each ending with a newline (decoders skip them). The hash is taken over
// these values.
export function kustomizeBase64(value: string): string {
  const encoded = Buffer.from(value, 'utf8').toString('base64')
  if (encoded.length < 70) return encoded
  return encoded.replace(/.{1,70}/g, (line) => `${line}\n`)
}

// An image reference split as kustomize splits it (api/image): the digest after @, else the tag after the last :
// that follows the last /.
function splitImage(image: string): { name: string; tag: string; digest: string } {
  const at = image.indexOf('@')
  if (at !== -1) {
    const head = splitImage(image.slice(0, at))
    return { ...head, digest: image.slice(at + 1) }
  }
  const colon = image.lastIndexOf(':')
  if (colon > image.lastIndexOf('/')) return { name: image.slice(0, colon), tag: image.slice(colon + 1), digest: '' }
  return { name: image, tag: '', digest: '' }
}

interface ImageRule {
  name: string
  newName?: string
  newTag?: string
  digest?: string
}

// kustomize's image transformer: a new tag or digest replaces both the tag and the digest there were.
function setImage(image: string, rule: ImageRule): string {
  let { name, tag, digest } = splitImage(image)
  if (rule.newName) name = rule.newName
  if (rule.newTag || rule.digest) {
    tag = rule.newTag ?? ''
    digest = rule.digest ?? ''
  }
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`
}

// The pod spec of a workload, where the image and name reference transformers look.
function podSpecOf(o: KubeObject): KubeObject | undefined {
  if (o.kind === 'Pod') return o.spec
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind)) return o.spec?.template?.spec
  return undefined
}

const containersOf = (spec: KubeObject): KubeObject[] => [
  ...(spec.initContainers ?? []),
  ...(spec.containers ?? []),
  ...(spec.ephemeralContainers ?? []),
]

// kustomize's name reference transformer, for a Secret: every field of a pod spec that names it follows its new name.
function renameSecret(o: KubeObject, from: string, to: string) {
  const spec = podSpecOf(o)
  if (!spec) return
  const follow = (ref: KubeObject | undefined, field: string) => {
    if (ref && ref[field] === from) ref[field] = to
  }
  for (const c of containersOf(spec)) {
    for (const e of c.envFrom ?? []) follow(e.secretRef, 'name')
    for (const e of c.env ?? []) follow(e.valueFrom?.secretKeyRef, 'name')
  }
  for (const v of spec.volumes ?? []) {
    follow(v.secret, 'secretName')
    for (const s of v.projected?.sources ?? []) follow(s.secret, 'name')
  }
  for (const s of spec.imagePullSecrets ?? []) follow(s, 'name')
}

function refuseUnknown(what: string, value: KubeObject, known: string[]) {
  const unknown = Object.keys(value).filter((k) => !known.includes(k))
  if (unknown.length > 0)
    throw new Error(`${what}: ${unknown.join(', ')} not implemented by the small renderer (test/support/kustomize.ts)`)
}

// The objects `kubectl kustomize <dir>` outputs, for the subset of kustomize that deploy/kubernetes/ uses: resources
// (files), secretGenerator (envs, options.labels and options.annotations, with the name's hash suffix and the
// references to it rewritten) and images (newName, newTag, digest). Any other field is refused, so that a
// kustomization that grows past the subset fails here instead of rendering something kubectl would not.
export function renderKustomization(dir: string): KubeObject[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as KubeObject
  refuseUnknown('kustomization.yaml', kustomization, ['apiVersion', 'kind', 'resources', 'secretGenerator', 'images'])
  if (kustomization.kind !== undefined && kustomization.kind !== 'Kustomization')
    throw new Error(`kustomization.yaml: kind ${kustomization.kind}`)

  const objects: KubeObject[] = []
  for (const file of (kustomization.resources ?? []) as string[]) {
    const path = join(dir, file)
    if (/^[a-z]+:\/\//.test(file) || !statSync(path).isFile())
      throw new Error(`resource ${file}: only files are implemented by the small renderer`)
    objects.push(...documentsOf(readFileSync(path, 'utf8'), path))
  }

  const generated: KubeObject[] = []
  for (const generator of (kustomization.secretGenerator ?? []) as KubeObject[]) {
    refuseUnknown(`secretGenerator ${generator.name}`, generator, ['name', 'envs', 'options'])
    const options: KubeObject = generator.options ?? {}
    refuseUnknown(`secretGenerator ${generator.name} options`, options, ['labels', 'annotations'])
    const data: Record<string, string> = {}
    for (const file of (generator.envs ?? []) as string[])
      for (const [key, value] of envFilePairs(readFileSync(join(dir, file), 'utf8'), file)) {
        if (key in data) throw new Error(`secretGenerator ${generator.name}: ${key} is repeated`)
        data[key] = kustomizeBase64(value)
      }
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: generator.name,
        ...(options.labels ? { labels: { ...options.labels } } : {}),
        ...(options.annotations ? { annotations: { ...options.annotations } } : {}),
      },
      type: 'Opaque',
      data: Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1))),
    }
    const name = `${generator.name}-${kustomizeSecretHash(secret)}`
    for (const o of objects) renameSecret(o, generator.name, name)
    secret.metadata.name = name
    generated.push(secret)
  }

  for (const rule of (kustomization.images ?? []) as ImageRule[]) {
    refuseUnknown(`images ${rule.name}`, rule, ['name', 'newName', 'newTag', 'digest'])
    for (const o of objects) {
      const spec = podSpecOf(o)
      if (!spec) continue
      for (const c of containersOf(spec))
        if (typeof c.image === 'string' && splitImage(c.image).name === rule.name) c.image = setImage(c.image, rule)
    }
  }
  return [...generated, ...objects]
}

// An object as the API server reads it, for the schemas: kustomize cuts a long Secret value over several lines,
// which the server's base64 decoder skips (Go's skips newlines) but the schemas' byte format does not.
export function asApiServerReads(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret' || !o.data) return o
  return {
    ...o,
    data: Object.fromEntries(Object.entries<string>(o.data).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')])),
  }
}

// --- rendering a copy ---

// A copy of a kustomization directory in a temporary one, with a secret.env made from the example template (the
// real secret.env is gitignored: absent in a clone, and never copied).
export function stageKustomization(dir: string, template: string): { dir: string; remove: () => void } {
  const parent = mkdtempSync(join(tmpdir(), 'huntaze-kustomize-'))
  const staged = join(parent, basename(dir))
  cpSync(dir, staged, { recursive: true, filter: (src) => basename(src) !== 'secret.env' })
  writeFileSync(join(staged, 'secret.env'), readFileSync(template, 'utf8'))
  return { dir: staged, remove: () => rmSync(parent, { recursive: true, force: true }) }
}

// The same objects, whatever the order: kustomize sorts its output by kind, the small renderer keeps the files'.
export function byIdentity(objects: KubeObject[]): KubeObject[] {
  const id = (o: KubeObject) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`
  return [...objects].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0))
}

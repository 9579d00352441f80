import { readFileSync } from 'node:fs'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface Row {
  fn: string
  // microseconds of CPU per request served during the profile
  usPerReq: number
  share: number
}

export interface ProfileSummary {
  requests: number
  // CPU busy (not idle) per request, microseconds
  busyUsPerReq: number
  byArea: Row[]
  topSelf: Row[]
  topInclusive: Row[]
}

const shortUrl = (url: string) => {
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length)
  const d = url.indexOf('/dist/')
  if (d >= 0) return url.slice(d + 1)
  return url.replace(/^file:\/\/\/?/, '')
}

function area(cf: CallFrame): string {
  const u = cf.url
  if (!u) return cf.functionName.startsWith('(') ? cf.functionName : '(native: JSON, regex, builtins)'
  if (u.startsWith('node:')) return 'node core (http, net, streams)'
  if (/node_modules\/(pino|sonic-boom|pino-std-serializers|fast-redact|thread-stream)\//.test(u))
    return 'pino (logging)'
  if (
    /node_modules\/(fastify|find-my-way|avvio|light-my-request|fast-json-stringify|@fastify\/[^/]+|fast-querystring|safe-regex2|toad-cache|abstract-logging|process-warning|rfdc|fast-uri|json-schema-ref-resolver)\//.test(
      u,
    )
  )
    return 'fastify'
  if (u.includes('/dist/')) return 'service (dist/)'
  return 'other dependencies'
}

const label = (cf: CallFrame) =>
  `${cf.functionName || '(anonymous)'} ${cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : ''}`.trim()

// Self and inclusive CPU time by function, per request served, from a --cpu-prof profile.
export function summarize(path: string, requests: number, top = 20): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<string, number>()
  const incl = new Map<string, number>()
  const areas = new Map<string, number>()
  let busy = 0
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0
    const leaf = byId.get(p.samples[i])!
    if (leaf.callFrame.functionName === '(idle)') continue
    // the profiler's own stop call lands in the window: not the request path
    let own = false
    for (let id: number | undefined = leaf.id; id !== undefined && !own; id = parent.get(id))
      own = byId.get(id)!.callFrame.url === 'node:inspector'
    if (own) continue
    busy += dt
    const k = label(leaf.callFrame)
    self.set(k, (self.get(k) ?? 0) + dt)
    const a = area(leaf.callFrame)
    areas.set(a, (areas.get(a) ?? 0) + dt)
    const onStack = new Set<string>()
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id)!.callFrame
      if (cf.functionName === '(root)') continue
      onStack.add(label(cf))
    }
    for (const key of onStack) incl.set(key, (incl.get(key) ?? 0) + dt)
  }
  const rows = (m: Map<string, number>, n: number, filter: (k: string) => boolean = () => true) =>
    [...m]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([fn, us]) => ({ fn, usPerReq: us / requests, share: us / busy }))
  return {
    requests,
    busyUsPerReq: busy / requests,
    byArea: rows(areas, 20),
    topSelf: rows(self, top),
    // the service's own functions and Fastify's per-request steps, as a share of all busy time
    topInclusive: rows(
      incl,
      top,
      (k) =>
        k.includes('dist/') ||
        /fastify\/lib\/(reply|route|handle-request|hooks|wrap-thenable|content-type|request)\.js/.test(k),
    ),
  }
}

import t from 'tap'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { checkSections, documents, renderDocument, root, slug } from '../../scripts/docs.js'
import { checks } from '../../src/checks/index.js'
import { Reason } from '../../src/reasons.js'
import { openapi, validateBody } from '../support/contract.js'

const read = (path: string) => readFileSync(join(root, path), 'utf8')
const readme = read('README.md')

// README.md and every markdown file under docs/, relative to the repository
function markdownFiles(dir = 'docs'): string[] {
  const files = dir === 'docs' ? ['README.md'] : []
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) files.push(...markdownFiles(path))
    else if (entry.name.endsWith('.md')) files.push(path)
  }
  return files
}

const withoutCode = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '')

function anchors(text: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const [, heading] of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading)
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.add(n === 0 ? base : `${base}-${n}`)
  }
  return out
}

t.test('the generated blocks of the README and docs/ are up to date (run `npm run docs`)', async (t) => {
  for (const path of Object.keys(documents)) {
    const { text, rendered } = renderDocument(path)
    t.equal(text, rendered, path)
  }
})

t.test('the README lists every reason code of the catalogue, and only those', async (t) => {
  const block = /<!-- reasons:start -->([\s\S]*?)<!-- reasons:end -->/.exec(readme)![1]
  const listed = [...block.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1])
  t.same(listed, Object.keys(Reason))
})

t.test(
  'docs/checks/ has a section for every check, the README links to it, and the README documents every route',
  async (t) => {
    const pages = markdownFiles().filter((f) => f.startsWith('docs/checks/') && !f.endsWith('/README.md'))
    const text = pages.map(read).join('\n')
    const sections = checkSections()
    for (const c of checks) {
      t.match(text, new RegExp(`^#{2,5} .*\`${c.name}\``, 'm'), `a section for ${c.name}`)
      const s = sections.get(c.name)
      t.ok(s && readme.includes(`(docs/checks/${s.file}#${s.anchor})`), `the README links ${c.name} to its section`)
    }
    for (const path of Object.keys(openapi.paths)) t.match(readme, path, `route ${path}`)
  },
)

t.test('the JSON examples in docs/responses.md follow the contract', async (t) => {
  const examples = [
    ...read('docs/responses.md').matchAll(/<!-- example:(health-json|ready|history) -->\n```json\n([\s\S]*?)\n```/g),
  ]
  t.equal(examples.length, 3, 'the three JSON examples are there')
  const contracts: Record<string, [path: string, type: string]> = {
    'health-json': ['/health', 'application/health+json'],
    ready: ['/ready', 'application/health+json'],
    history: ['/health/{service}/history', 'application/json'],
  }
  for (const [, name, body] of examples) {
    const parsed = JSON.parse(body)
    const [path, type] = contracts[name]
    const code = name !== 'history' && parsed.status === 'fail' ? 503 : 200
    t.same(validateBody(path, code, type, parsed), [], `${name} example is valid`)
  }
})

t.test('CI runs the test command the README gives', async (t) => {
  const ci = read('.ci/run')
  t.match(readme, /npm ci && npm test/)
  t.match(ci, /^npm test /m)
})

t.test(
  'every relative link of the README and docs/ leads to a file of the repository, and to a heading of it',
  async (t) => {
    const files = markdownFiles()
    t.ok(files.length > 1, 'the docs are found')
    for (const file of files) {
      const text = withoutCode(read(file))
      const targets = [
        ...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g),
        ...text.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm),
      ].map((m) => m[1])
      for (const target of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue
        const [pathPart, anchor] = target.split('#', 2)
        const abs = pathPart ? resolve(root, dirname(file), decodeURIComponent(pathPart)) : join(root, file)
        const rel = relative(root, abs)
        if (rel.startsWith('..') || !existsSync(abs) || !statSync(abs).isFile()) {
          t.fail(`${file}: ${target} is not a file of the repository`)
          continue
        }
        if (anchor && abs.endsWith('.md'))
          t.ok(anchors(readFileSync(abs, 'utf8')).has(anchor), `${file}: ${target} names a heading of ${rel}`)
        else t.pass(`${file}: ${target}`)
      }
    }
  },
)

t.test('the README stays short enough to read in two minutes', async (t) => {
  const lines = readme.split('\n').length
  t.ok(lines < 250, `${lines} lines, fewer than 250`)
})

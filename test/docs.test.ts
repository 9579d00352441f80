import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { checkSections, documents, renderDocument, root } from '../scripts/docs.js'
import { checks } from '../src/checks/index.js'
import { Reason } from '../src/reasons.js'
import { openapi, validateBody } from './contract.js'

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

t.test('docs/checks/ has a section for every check, the README links to it, and the README documents every route', async (t) => {
  const pages = markdownFiles().filter((f) => f.startsWith('docs/checks/') && !f.endsWith('/README.md'))
  const text = pages.map(read).join('\n')
  const sections = checkSections()
  for (const c of checks) {
    t.match(text, new RegExp(`^#{2,5} .*\`${c.name}\``, 'm'), `a section for ${c.name}`)
    const s = sections.get(c.name)
    t.ok(s && readme.includes(`(docs/checks/${s.file}#${s.anchor})`), `the README links ${c.name} to its section`)
  }
  for (const path of Object.keys(openapi.paths)) t.match(readme, path, `route ${path}`)
})

t.test('the JSON examples in docs/responses.md follow the contract', async (t) => {
  const examples = [...read('docs/responses.md').matchAll(/<!-- example:(health-json|ready) -->\n```json\n([\s\S]*?)\n```/g)]
  t.equal(examples.length, 2, 'both JSON examples are there')
  for (const [, name, body] of examples) {
    const parsed = JSON.parse(body)
    const path = name === 'ready' ? '/ready' : '/health'
    t.same(validateBody(path, parsed.status === 'fail' ? 503 : 200, 'application/health+json', parsed), [], `${name} example is valid`)
  }
})

t.test('CI runs the test command the README gives', async (t) => {
  const ci = read('.ci/run')
  t.match(readme, /npm ci && npm test/)
  t.match(ci, /^npm test /m)
})

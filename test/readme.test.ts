import t from 'tap'
import { readFileSync } from 'node:fs'
import { render } from '../scripts/docs.js'
import { checks } from '../src/checks/index.js'
import { Reason } from '../src/reasons.js'
import { openapi, validateBody } from './support/contract.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

t.test('the generated tables of the README are up to date (run `npm run docs`)', async (t) => {
  t.equal(readme, render(readme))
})

t.test('the README lists every reason code of the catalogue, and only those', async (t) => {
  const block = /<!-- reasons:start -->([\s\S]*?)<!-- reasons:end -->/.exec(readme)![1]
  const listed = [...block.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1])
  t.same(listed, Object.keys(Reason))
})

t.test('the README documents every check and every route', async (t) => {
  for (const c of checks) t.match(readme, new RegExp(`^#{3,5} .*\`${c.name}\``, "m"), `a section for ${c.name}`)
  for (const path of Object.keys(openapi.paths)) t.match(readme, path, `route ${path}`)
})

t.test('the JSON examples in the README follow the contract', async (t) => {
  const examples = [...readme.matchAll(/<!-- example:(health-json|ready) -->\n```json\n([\s\S]*?)\n```/g)]
  t.equal(examples.length, 2, 'both JSON examples are there')
  for (const [, name, body] of examples) {
    const parsed = JSON.parse(body)
    const path = name === 'ready' ? '/ready' : '/health'
    t.same(validateBody(path, parsed.status === 'fail' ? 503 : 200, 'application/health+json', parsed), [], `${name} example is valid`)
  }
})

t.test('CI runs the test command the README gives', async (t) => {
  const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')
  t.match(readme, /npm ci && npm test/)
  t.match(ci, /^npm test /m)
})

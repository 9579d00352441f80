import t from 'tap'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../../', import.meta.url).pathname
const page = readFileSync(join(root, 'docs/architecture.md'), 'utf8')

function folders(dir: string): string[] {
  return readdirSync(join(root, dir))
    .filter((f) => statSync(join(root, dir, f)).isDirectory())
    .flatMap((f) => [`${dir}/${f}`, ...folders(`${dir}/${f}`)])
}

t.test('every path docs/architecture.md names exists', async (t) => {
  const named = [...new Set([...page.matchAll(/`((?:src|docs|test|bench)\/[\w./<>-]+)`/g)].map((m) => m[1]))].filter(
    (p) => !p.includes('<'),
  )
  t.ok(named.length > 10, 'it names the files')
  for (const p of named) t.ok(existsSync(join(root, p)), p)
})

t.test('docs/architecture.md names every folder under src/ and every file of the engine', async (t) => {
  for (const dir of folders('src')) t.match(page, `\`${dir}/`, dir)
  for (const f of readdirSync(join(root, 'src/engine'))) t.match(page, `\`src/engine/${f}\``, f)
})

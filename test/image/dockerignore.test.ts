import t from 'tap'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { copyContext, isIgnored, parseDockerignore } from '../support/dockerignore.js'
import { parseDockerfile } from '../support/dockerfile.js'
import { repoRoot } from '../support/image.js'

const rules = parseDockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'))
// what the Dockerfile copies from the context (COPY without --from), relative to it
const copied = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'))
  .flatMap((s) => s.steps)
  .flatMap((s) => (s.kind === 'copy' && s.from === undefined ? s.sources : []))

t.test("patterns follow Docker's rules, not .gitignore's", async (t) => {
  const r = parseDockerignore('# comment\n*.log\n**/*.tmp\n/build/\nkeep/**\n!keep/this\n')
  t.ok(isIgnored(r, 'a.log'), '* at the root')
  t.notOk(isIgnored(r, 'src/a.log'), '* stays within one segment: a nested .log is not matched')
  t.ok(isIgnored(r, 'src/deep/a.tmp'), '**/ spans any number of segments')
  t.ok(isIgnored(r, 'a.tmp'), '**/ spans zero segments too')
  t.ok(isIgnored(r, 'build/x/y.js'), 'a matched directory excludes everything under it; leading and trailing / dropped')
  t.ok(isIgnored(r, 'keep/other'))
  t.notOk(isIgnored(r, 'keep/this'), 'a later ! re-includes')
  t.notOk(isIgnored(r, 'comment'), 'comments are no patterns')
})

t.test('the context leaves out secrets, tests, benchmarks and local output, whatever holds them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'huntaze-context-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const source = join(dir, 'repo')
  const planted = [
    '.env',
    '.env.production',
    'src/.env.local',
    'test/a.test.ts',
    'bench/out/x.cpuprofile',
    'docs/a.md',
    'node_modules/a/index.js',
    'dist/service.js',
    'coverage/index.html',
    'npm-debug.log',
    'src/checks/trace.log',
    '.git/config',
  ]
  // each of what the Dockerfile copies, as a file or as a directory holding one, as in the repository
  const needed = copied.map((c) => (statSync(join(repoRoot, c)).isDirectory() ? `${c}/keep.ts` : c))
  for (const f of [...planted, ...needed]) {
    mkdirSync(dirname(join(source, f)), { recursive: true })
    writeFileSync(join(source, f), 'x')
  }
  copyFileSync(join(repoRoot, '.dockerignore'), join(source, '.dockerignore'))
  const context = copyContext(source, join(dir, 'context'), rules)
  for (const f of planted) t.notOk(context.includes(f), `${f} stays out`)
  for (const f of needed) t.ok(context.includes(f), `${f} goes in`)
})

t.test('everything the Dockerfile copies from the context is in it, and nothing of test/ or .env', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'huntaze-context-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const context = copyContext(repoRoot, dir, rules)
  t.ok(copied.length > 0, `the Dockerfile copies ${copied.join(', ')}`)
  for (const source of copied)
    t.ok(
      context.some((f) => f === source || f.startsWith(`${source}/`)),
      `${source} is in the context`,
    )
  t.same(
    context.filter((f) => /^(test|bench|docs|node_modules|dist|\.git)\//.test(f) || /(^|\/)\.env/.test(f)),
    [],
    'no test, benchmark, doc, dependency, build output or .env file',
  )
})

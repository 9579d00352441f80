import t from 'tap'
import { fileURLToPath } from 'node:url'
import { promtool } from '../support/prometheus.js'

const docs = (file: string) => fileURLToPath(new URL(`../../docs/${file}`, import.meta.url))

t.test('docs/alerts.yaml is valid rules', async (t) => {
  const r = await promtool(['check', 'rules', docs('alerts.yaml')])
  t.equal(r.code, 0, r.out)
  t.match(r.out, /SUCCESS: 5 rules found/)
})

t.test('each alert fires on its series and stays quiet otherwise (docs/alerts.test.yaml)', async (t) => {
  const r = await promtool(['test', 'rules', docs('alerts.test.yaml')])
  t.equal(r.code, 0, r.out)
  t.match(r.out, /SUCCESS/)
})

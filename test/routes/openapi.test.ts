import t from 'tap'
import { readFileSync } from 'node:fs'
import { build } from '../../src/server.js'
import { checks } from '../../src/checks/index.js'
import { Reason } from '../../src/reasons.js'
import { testConfig } from '../support/helpers.js'
import { openapi } from '../support/contract.js'

t.test('openapi.yaml is exactly what the routes generate (run `npm run openapi` after changing a route)', async (t) => {
  const app = await build(testConfig({ HEALTH_LOG_LEVEL: 'silent' }), { openapi: true })
  t.teardown(() => app.close())
  await app.ready()
  t.same(JSON.parse(JSON.stringify(app.swagger())), openapi)
})

t.test(
  'the service enum of /health/{service}, its history and its badge is the list of registered checks',
  async (t) => {
    for (const path of ['/health/{service}', '/health/{service}/history', '/badge/{service}.svg']) {
      const param = openapi.paths[path].get.parameters?.find((p) => p.name === 'service')
      t.same(
        param?.schema.enum,
        checks.map((c) => c.name),
        path,
      )
    }
  },
)

t.test('the reason enum in the contract is the reason catalogue', async (t) => {
  const entry = openapi.components.schemas.CheckEntry as {
    properties: { reason: { anyOf: { enum?: string[]; const?: string }[] } }
  }
  const listed = entry.properties.reason.anyOf.map((s) => s.const ?? s.enum?.[0])
  t.same(listed, Object.values(Reason))
})

t.test('every route of the app is documented, and only those', async (t) => {
  t.same(Object.keys(openapi.paths).sort(), [
    '/badge.svg',
    '/badge/{service}.svg',
    '/health',
    '/health/{service}',
    '/health/{service}/history',
    '/live',
    '/metrics',
    '/ready',
    '/serving',
    '/status',
  ])
})

t.test('the running service serves the committed openapi.yaml', async (t) => {
  const app = await build(testConfig({ HEALTH_LOG_LEVEL: 'silent' }))
  t.teardown(() => app.close())
  const res = await app.inject('/openapi.yaml')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/yaml/)
  t.equal(res.body, readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8'))
})

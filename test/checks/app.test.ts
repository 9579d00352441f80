import t from 'tap'
import app from '../../src/checks/app.js'
import { findingsOf, goodApp, testConfig } from '../support/helpers.js'

t.test('app: every app URL must be https in production', async (t) => {
  for (const name of ['NEXT_PUBLIC_APP_URL', 'APP_URL', 'API_URL', 'FRONTEND_URL', 'BACKEND_URL'] as const) {
    const found = findingsOf(
      app,
      testConfig({ NODE_ENV: 'production', ...goodApp, [name]: 'http://plain.huntaze.com' }),
    )
    t.same(
      found.map((f) => f.setting),
      [name],
      `${name} over http`,
    )
    t.same(
      findingsOf(app, testConfig({ NODE_ENV: 'production', ...goodApp, [name]: 'https://secure.huntaze.com' })),
      [],
      `${name} over https`,
    )
    t.same(
      findingsOf(app, testConfig({ NODE_ENV: 'staging', ...goodApp, [name]: 'http://plain.huntaze.com' })),
      [],
      `${name} over http in staging`,
    )
  }
})

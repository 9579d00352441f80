import t from 'tap'
import auth from '../../src/checks/auth.js'
import { findingsOf, testConfig } from '../support/helpers.js'

t.test('auth: NEXTAUTH_URL must be https in production', async (t) => {
  const bad = findingsOf(auth, testConfig({ NODE_ENV: 'production', NEXTAUTH_URL: 'http://app.huntaze.com' }))
  t.equal(bad.length, 1)
  t.equal(bad[0]?.setting, 'NEXTAUTH_URL')
  t.match(bad[0]?.message, /https in production/)
  t.same(findingsOf(auth, testConfig({ NODE_ENV: 'production', NEXTAUTH_URL: 'https://app.huntaze.com' })), [])
  t.same(
    findingsOf(auth, testConfig({ NODE_ENV: 'development', NEXTAUTH_URL: 'http://localhost:3000' })),
    [],
    'http is fine outside production',
  )
  t.same(
    findingsOf(auth, testConfig({ NODE_ENV: 'production', NEXTAUTH_URL: 'not a url' })),
    [],
    'a malformed URL is reported once, as malformed',
  )
})

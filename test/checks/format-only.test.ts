import t from 'tap'
import logrocket from '../../src/checks/logrocket.js'
import onlyfans from '../../src/checks/onlyfans.js'
import { probeCheck } from '../support/probe.js'
import { noSecrets } from '../support/secrets.js'

t.test('logrocket: a well-formed app id passes and says why it is format only', async (t) => {
  const { entry } = await probeCheck(t, logrocket, { LOGROCKET_APP_ID: 'example-org/example-app' })
  t.equal(entry.status, 'pass')
  t.equal(entry.liveCheck, false)
  t.match(entry.output, /^format only: a LogRocket app id is a public identifier with no verification endpoint/)
})

t.test('logrocket: a malformed app id is a MISCONFIGURED warning naming the setting and the form', async (t) => {
  const { entry, res } = await probeCheck(t, logrocket, { LOGROCKET_APP_ID: 'example-app-without-org' })
  t.equal(res.statusCode, 200)
  t.equal(entry.status, 'warn')
  t.equal(entry.reason, 'MISCONFIGURED')
  t.match(entry.output, /^LOGROCKET_APP_ID is malformed: expected an app id of the form org\/app; format only: /)
  t.match(entry.findings, [{ setting: 'LOGROCKET_APP_ID', problem: 'malformed' }])
})

t.test('logrocket: skipped when not configured', async (t) => {
  const { entry } = await probeCheck(t, logrocket, {})
  t.equal(entry.status, 'skipped')
  t.match(entry.output, /set LOGROCKET_APP_ID to enable/)
})

t.test('onlyfans: a present key passes, says why it is format only, and is never echoed', async (t) => {
  const key = 'of-key-sentinel-6d1f0a9e3b'
  const { entry, res, logs } = await probeCheck(t, onlyfans, { ONLYFANS_API_KEY: key })
  t.equal(entry.status, 'pass')
  t.equal(entry.liveCheck, false)
  t.match(entry.output, /^format only: OnlyFans publishes no API that can verify a key/)
  noSecrets(t, [key], { body: res.body, logs: logs.text() })
})

t.test('onlyfans: skipped when not configured', async (t) => {
  const { entry } = await probeCheck(t, onlyfans, {})
  t.equal(entry.status, 'skipped')
})

import { parseBoolean } from '../formats.js'
import { httpFailure, httpRequest } from './lib/http.js'
import { Reason } from '../reasons.js'
import { CheckError, defineCheck } from './types.js'

export interface ParsedDsn {
  publicKey: string
  origin: string
  host: string
  // path before the project id, for self-hosted Sentry behind a prefix
  pathPrefix: string
  projectId: string
}

export function parseDsn(dsn: string): ParsedDsn | null {
  let url: URL
  try {
    url = new URL(dsn)
  } catch {
    return null
  }
  const m = /^(.*)\/(\d+)\/?$/.exec(url.pathname)
  if (!/^https?:$/.test(url.protocol) || !url.username || !m) return null
  return {
    publicKey: decodeURIComponent(url.username),
    origin: url.origin,
    host: url.host,
    pathPrefix: m[1],
    projectId: m[2],
  }
}

export default defineCheck({
  name: 'sentry',
  tier: 'optional',
  componentType: 'component',
  live: true,
  scope: 'global',
  cache: 'third-party',
  description:
    'The DSN parses (public key, host, project id); with SENTRY_CHECK_INGEST the ingest host answers as Sentry does',
  start(ctx) {
    const s = ctx.config.settings
    const ingest = parseBoolean(s.SENTRY_CHECK_INGEST, false)
    const dsn = parseDsn(s.SENTRY_DSN)
    return {
      async run(signal) {
        if (!dsn) {
          throw new CheckError(
            Reason.MISCONFIGURED,
            'SENTRY_DSN cannot be parsed; copy the DSN (https://<public key>@<host>/<project id>) from Project Settings > Client Keys',
          )
        }
        const details = { host: dsn.host, projectId: dsn.projectId, ingestChecked: ingest }
        if (!ingest) {
          return {
            status: 'pass',
            output: `format only: SENTRY_DSN names project ${dsn.projectId} on ${dsn.host}; set SENTRY_CHECK_INGEST=true to also prove the ingest host answers`,
            details,
            formatOnly: true,
          }
        }
        // a GET on the POST-only envelope endpoint reaches the ingest service without submitting an event
        const url = `${dsn.origin}${dsn.pathPrefix}/api/${dsn.projectId}/envelope/`
        const res = await httpRequest(url, { signal })
        const where = `Sentry ingest ${dsn.host}`
        // Relay takes only POST there: 405 is the ingest itself; a page, a 200 or a 404 is something else on that host
        if (res.status === 405) {
          return {
            status: 'pass',
            output: `SENTRY_DSN parsed and the ingest host ${dsn.host} answers (HTTP 405, no event sent)`,
            details: { ...details, ingestStatus: res.status },
          }
        }
        if (res.status < 500 && res.status !== 429 && res.status !== 401 && res.status !== 403) {
          throw new CheckError(
            Reason.BAD_RESPONSE,
            `${where} answered ${res.status} to GET ${dsn.pathPrefix}/api/${dsn.projectId}/envelope/, not the 405 of Sentry's ingest (which takes only POST there); check the host of SENTRY_DSN`,
          )
        }
        throw httpFailure(res, where, {
          auth: 'the ingest refused this project; copy SENTRY_DSN again from Project Settings > Client Keys',
          forbidden:
            'the ingest refused this project (a disabled key, or a DSN of another data region); copy SENTRY_DSN again from Project Settings > Client Keys',
        })
      },
    }
  },
})

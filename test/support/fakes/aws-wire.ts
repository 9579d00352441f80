import type { ServerResponse } from 'node:http'
import { startFake, type Fake, type RecordedRequest } from './http.js'
import { secret, tellsIn } from '../secrets.js'

// Built at run time so that no literal in the repository looks like a real access key id.
export const KEY_ID = 'AKIA' + 'TESTONLY'.repeat(3)
export const SECRET = ['fake', 'secret', 'for', 'tests'].join('-').repeat(3)
export const SESSION_TOKEN = ['fake', 'session', 'token'].join('-').repeat(4)

export const ACCOUNT = '123456789012'
export const REGION = 'eu-west-1'

// The installed clients' protocols: STS awsQuery, SQS/CloudWatch awsJson1_0 (query-compatible), EventBridge awsJson1_1, SESv2 restJson1, S3 restXml.
// SES's answers for an account that may send and an identity that is verified (identity: its address; any when unset).
export function sesAnswers(identity?: string): (req: AwsRequest) => Answer {
  return (req) => {
    if (req.operation === 'GET /v2/email/account')
      return {
        body: {
          SendingEnabled: true,
          ProductionAccessEnabled: true,
          EnforcementStatus: 'HEALTHY',
          SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 12500 },
        },
      }
    const asked = identity ? `GET /v2/email/identities/${encodeURIComponent(identity)}` : 'GET /v2/email/identities/'
    if (identity ? req.operation === asked : req.operation.startsWith(asked))
      return { body: { IdentityType: 'EMAIL_ADDRESS', VerifiedForSendingStatus: true, VerificationStatus: 'SUCCESS' } }
    return { error: { status: 404, code: 'NotFoundException', message: 'not found' } }
  }
}

export type Protocol = 'query' | 'json1.0' | 'json1.1' | 'rest-json' | 'rest-xml'

export interface AwsErrorAnswer {
  status: number
  code: string
  message?: string
  // the legacy awsQuery code sent in x-amzn-query-error by query-compatible JSON services
  queryCode?: string
  headers?: Record<string, string>
}

export type Answer = { body?: unknown; headers?: Record<string, string> } | { error: AwsErrorAnswer } | 'hang'

export interface AwsRequest extends RecordedRequest {
  operation: string
  // JSON request members, or query parameters for awsQuery
  input: Record<string, unknown>
}

function operationOf(protocol: Protocol, req: RecordedRequest): { operation: string; input: Record<string, unknown> } {
  if (protocol === 'query') {
    const params = Object.fromEntries(new URLSearchParams(req.body))
    return { operation: params.Action ?? '', input: params }
  }
  if (protocol === 'json1.0' || protocol === 'json1.1') {
    const target = String(req.headers['x-amz-target'] ?? '')
    return {
      operation: target.slice(target.indexOf('.') + 1),
      input: req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {},
    }
  }
  return { operation: `${req.method} ${req.url.split('?')[0]}`, input: {} }
}

// the XML and raw answers are written as given; anything else as JSON
const asText = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body))

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function writeOk(
  protocol: Protocol,
  operation: string,
  res: ServerResponse,
  answer: { body?: unknown; headers?: Record<string, string> },
): void {
  const headers = { 'x-amzn-requestid': 'fake-request-1', ...answer.headers }
  if (protocol === 'query') {
    res.writeHead(200, { 'content-type': 'text/xml', ...headers })
    res.end(
      `<${operation}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${operation}Result>${answer.body === undefined ? '' : asText(answer.body)}</${operation}Result>` +
        `<ResponseMetadata><RequestId>fake-request-1</RequestId></ResponseMetadata></${operation}Response>`,
    )
    return
  }
  if (protocol === 'rest-xml') {
    res.writeHead(200, headers)
    res.end(answer.body === undefined ? undefined : asText(answer.body))
    return
  }
  const type =
    protocol === 'json1.0'
      ? 'application/x-amz-json-1.0'
      : protocol === 'json1.1'
        ? 'application/x-amz-json-1.1'
        : 'application/json'
  res.writeHead(200, { 'content-type': type, ...headers })
  res.end(JSON.stringify(answer.body ?? {}))
}

function writeError(protocol: Protocol, method: string, res: ServerResponse, e: AwsErrorAnswer): void {
  const message = e.message ?? `fake ${e.code}`
  const fault = e.status >= 500 ? 'Receiver' : 'Sender'
  const headers: Record<string, string> = { 'x-amzn-requestid': 'fake-request-1', ...e.headers }
  if (protocol === 'query') {
    res.writeHead(e.status, { 'content-type': 'text/xml', ...headers })
    res.end(
      `<ErrorResponse><Error><Type>${fault}</Type><Code>${e.code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>fake-request-1</RequestId></ErrorResponse>`,
    )
    return
  }
  if (protocol === 'rest-xml') {
    res.writeHead(e.status, { 'content-type': 'application/xml', ...headers })
    // HEAD answers have no body: the SDK only sees the status and the headers
    res.end(
      method === 'HEAD'
        ? undefined
        : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${e.code}</Code><Message>${xmlEscape(message)}</Message></Error>`,
    )
    return
  }
  if (protocol === 'rest-json') {
    res.writeHead(e.status, {
      'content-type': 'application/json',
      'x-amzn-errortype': `${e.code}:http://internal.amazon.com/coral/com.amazonaws.fake/`,
      ...headers,
    })
    res.end(JSON.stringify({ message }))
    return
  }
  const type = protocol === 'json1.0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1'
  if (e.queryCode) headers['x-amzn-query-error'] = `${e.queryCode};${fault}`
  res.writeHead(e.status, { 'content-type': type, ...headers })
  res.end(JSON.stringify({ __type: e.code, message }))
}

// A loopback AWS endpoint: `respond` picks the answer per operation, the protocol decides how it is written.
export async function startAwsFake(protocol: Protocol, respond: (req: AwsRequest) => Answer): Promise<Fake> {
  return startFake((req, res) => {
    const { operation, input } = operationOf(protocol, req)
    const answer = respond({ ...req, operation, input })
    if (answer === 'hang') return 'hang'
    if ('error' in answer) writeError(protocol, req.method, res, answer.error)
    else writeOk(protocol, operation, res, answer)
  })
}

// The common error answers, per protocol family.
export const errors = {
  accessDenied: (
    protocol: Protocol,
    message = 'User: arn:aws:iam::123456789012:user/health-test is not authorized to perform this action',
  ): AwsErrorAnswer =>
    protocol === 'query' || protocol === 'rest-xml'
      ? { status: 403, code: 'AccessDenied', message }
      : { status: 400, code: 'AccessDeniedException', message, queryCode: 'AccessDenied' },
  throttled: (protocol: Protocol): AwsErrorAnswer =>
    protocol === 'query'
      ? { status: 400, code: 'Throttling', message: 'Rate exceeded' }
      : { status: 400, code: 'ThrottlingException', message: 'Rate exceeded', queryCode: 'Throttling' },
  expired: (protocol: Protocol): AwsErrorAnswer =>
    protocol === 'query'
      ? { status: 403, code: 'ExpiredToken', message: 'The security token included in the request is expired' }
      : {
          status: 400,
          code: 'ExpiredTokenException',
          message: 'The security token included in the request is expired',
          queryCode: 'ExpiredToken',
        },
  internal: (protocol: Protocol): AwsErrorAnswer =>
    protocol === 'query'
      ? { status: 500, code: 'InternalFailure', message: 'internal failure' }
      : { status: 500, code: 'InternalFailure', message: 'internal failure', queryCode: 'InternalFailure' },
}

// Static credentials, the region and every endpoint override pointed at one fake.
export function awsEnv(
  endpointSetting: string,
  url: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    [endpointSetting]: url,
    ...extra,
  }
}

// Neither half of the key pair, nor the session token, may leave the process: each whole or by its first characters.
const awsSecrets = [
  secret(KEY_ID, 'AWS_ACCESS_KEY_ID', 12),
  secret(SECRET, 'AWS_SECRET_ACCESS_KEY', 12),
  secret(SESSION_TOKEN, 'AWS_SESSION_TOKEN', 12),
]

export function leaks(...texts: string[]): string[] {
  return tellsIn(awsSecrets, texts.join('\n'))
}

// One query of a CloudWatch GetMetricData request, as the SDK serialises it (awsJson1_0).
export interface MetricQuery {
  id: string
  namespace: string
  metricName: string
  dimensions: Record<string, string>
  period: number
  stat: string
}

interface WireMetricQuery {
  Id: string
  MetricStat?: {
    Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] }
    Period?: number
    Stat?: string
  }
}

export function metricQueries(req: AwsRequest): MetricQuery[] {
  return ((req.input.MetricDataQueries ?? []) as WireMetricQuery[]).map((q) => ({
    id: q.Id,
    namespace: q.MetricStat?.Metric?.Namespace ?? '',
    metricName: q.MetricStat?.Metric?.MetricName ?? '',
    dimensions: Object.fromEntries((q.MetricStat?.Metric?.Dimensions ?? []).map((d) => [d.Name, d.Value])),
    period: q.MetricStat?.Period ?? 0,
    stat: q.MetricStat?.Stat ?? '',
  }))
}

// A GetMetricData answer: `values` gives each query's datapoints newest first, one per period back from EndTime
// (an empty list is a metric with no datapoints); timestamps are epoch seconds, as the JSON protocol writes them.
export function metricData(req: AwsRequest, values: (q: MetricQuery) => number[], statusCode = 'Complete'): Answer {
  const end = Math.floor(Number(req.input.EndTime) / 60) * 60
  return {
    body: {
      MetricDataResults: metricQueries(req).map((q) => {
        const v = values(q)
        return {
          Id: q.id,
          Label: q.metricName,
          StatusCode: statusCode,
          Values: v,
          Timestamps: v.map((_, i) => end - (i + 1) * q.period),
        }
      }),
      Messages: [],
    },
  }
}

// The protocol of a request, from what the SDK sends: the JSON target header, a query form, or a REST path.
export function protocolOf(req: RecordedRequest): Protocol {
  const type = String(req.headers['content-type'] ?? '')
  if (req.headers['x-amz-target']) return type.includes('1.0') ? 'json1.0' : 'json1.1'
  if (type.startsWith('application/x-www-form-urlencoded')) return 'query'
  if (req.url.startsWith('/v2/')) return 'rest-json'
  return 'rest-xml'
}

// An endpoint that answers every AWS call 200 in its protocol's wire format but with none of the operation's
// fields: {} to the JSON protocols, an empty result element to awsQuery, no body to REST-XML (S3).
export async function startShapelessAws(): Promise<Fake & { operations: () => string[] }> {
  const fake = await startFake((req, res) => {
    const protocol = protocolOf(req)
    writeOk(protocol, operationOf(protocol, req).operation, res, {})
  })
  return {
    ...fake,
    operations: () =>
      fake.requests.map((r) => {
        const protocol = protocolOf(r)
        return operationOf(protocol, r).operation
      }),
  }
}

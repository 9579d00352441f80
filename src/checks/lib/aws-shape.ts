import { Reason } from '../../reasons.js'
import { CheckError } from '../types.js'
import { endpointSettingOf, type AwsSetup } from './aws-setup.js'

// Where an answer came from: the endpoint setting in effect, or the region's default endpoint when none is set.
export function answeredFrom(setup: AwsSetup): string {
  if (setup.endpoint) return `at ${setup.endpoint.url} (${setup.endpoint.setting})`
  return `from the default ${setup.label} endpoint of ${setup.region} (AWS_REGION; neither ${endpointSettingOf(setup.service)} nor AWS_ENDPOINT_URL is set)`
}

// A 200 that lacks what the verdict reads (a proxy, an emulator, a wrong address answering in AWS's place) must
// never pass: each field is taken through here, and any one missing makes the answer BAD_RESPONSE on verify().
export class AnswerShape {
  private readonly missing: string[] = []

  constructor(
    private readonly setup: AwsSetup,
    private readonly operation: string,
  ) {}

  private lacks<T>(field: string, kind: string, placeholder: T): T {
    this.missing.push(`${field} (${kind})`)
    return placeholder
  }

  string(field: string, value: unknown): string {
    return typeof value === 'string' && value !== '' ? value : this.lacks(field, 'a string', '')
  }

  boolean(field: string, value: unknown): boolean {
    return typeof value === 'boolean' ? value : this.lacks(field, 'true or false', false)
  }

  number(field: string, value: unknown): number {
    return typeof value === 'number' && Number.isFinite(value) ? value : this.lacks(field, 'a number', 0)
  }

  // a count of messages: SQS sends its attributes as decimal strings
  count(field: string, value: unknown): number {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : this.lacks(field, 'a count', 0)
  }

  array<T>(field: string, value: readonly T[] | undefined): readonly T[] {
    return Array.isArray(value) ? (value as readonly T[]) : this.lacks<readonly T[]>(field, 'a list', [])
  }

  // a field that may be left out, but is of its kind when sent
  optionalArray<T>(field: string, value: readonly T[] | undefined): readonly T[] {
    return value === undefined ? [] : this.array(field, value)
  }

  // a response header the service sends with every answer: the one thing a bodiless (HEAD) answer can be judged by
  header(name: string, headers: Readonly<Record<string, string | undefined>>): string {
    const value = headers[name]
    return value ? value : this.lacks(`the ${name} header`, 'sent with every answer', '')
  }

  // Throws BAD_RESPONSE naming every missing field and where the answer came from; call it before any value is used.
  verify(): void {
    if (this.missing.length === 0) return
    const { label } = this.setup
    throw new CheckError(
      Reason.BAD_RESPONSE,
      `${label} ${this.operation}: the answer ${answeredFrom(this.setup)} lacks ${this.missing.join(', ')}: is that endpoint ${label}, or a proxy or emulator answering in its place?`,
    )
  }
}

interface HeadersOf {
  response?: { headers?: Record<string, string | undefined> }
}
type Handler = (args: unknown) => Promise<HeadersOf>
interface DeserializeStack {
  add(middleware: (next: Handler) => Handler, options: { step: 'deserialize'; name: string }): void
}

// The headers of one command's answer, which the SDK's output leaves out (S3 HeadBucket's request id, for one).
export function responseHeaders(command: {
  middlewareStack: object
}): () => Readonly<Record<string, string | undefined>> {
  let headers: Record<string, string | undefined> = {}
  // the SDK's overloads type each step apart; the deserialize step sees the raw HTTP response
  ;(command.middlewareStack as DeserializeStack).add(
    (next) => async (args) => {
      const out = await next(args)
      headers = out.response?.headers ?? {}
      return out
    },
    { step: 'deserialize', name: 'responseHeaders' },
  )
  return () => headers
}

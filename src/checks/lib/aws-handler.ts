import { Agent as HttpsAgent } from 'node:https'
import { Transform, pipeline, type Readable } from 'node:stream'
import type { NodeHttpHandler, NodeHttpHandlerOptions } from '@smithy/node-http-handler'
import type { HttpHandlerOptions } from '@smithy/types'
import { http } from '../../node-http.js'
import { awsSdk } from './aws-sdk.js'
import { MAX_BODY_BYTES, notHttp, tooLarge } from './transport.js'

type Request = Parameters<NodeHttpHandler['handle']>[0]
type Handled = Awaited<ReturnType<NodeHttpHandler['handle']>>

// The SDK appends a hint to the message of an error without $metadata that a body read throws: this one has its own.
function own(err: Error): Error {
  return Object.defineProperty(err, '$metadata', { value: {}, enumerable: false })
}

const capError = (host: string) => own(tooLarge(host))

// The AWS clients' transport: a connection per request, closed once its answer is read (no keep-alive pool that
// outlives the probe; the SDK's abortSignal destroys it on a timeout), and an answer read to MAX_BODY_BYTES at most.
export function probeHttpHandler(options: Omit<NodeHttpHandlerOptions, 'httpAgent' | 'httpsAgent'>): NodeHttpHandler {
  // loaded here, not imported at the top: only a configured AWS check loads the SDK
  const { NodeHttpHandler } = awsSdk.httpHandler()
  const handler = new NodeHttpHandler({
    ...options,
    httpAgent: new http.Agent({ keepAlive: false }),
    httpsAgent: new HttpsAgent({ keepAlive: false }),
  })
  const send = handler.handle.bind(handler)
  handler.handle = async (request: Request, options?: HttpHandlerOptions): Promise<Handled> => {
    const host = `${request.hostname}${request.port ? `:${request.port}` : ''}`
    let handled: Handled
    try {
      handled = await send(request, options)
    } catch (err) {
      // llhttp's parse errors: what answered is not HTTP, let alone AWS
      const code = (err as { code?: unknown }).code
      if (typeof code === 'string' && code.startsWith('HPE_')) throw own(notHttp(host))
      throw err
    }
    const { response } = handled
    const body = response.body as Readable | undefined
    if (!body || typeof body.pipe !== 'function') return handled
    const declared = Number(response.headers['content-length'])
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      body.destroy()
      throw capError(host)
    }
    let size = 0
    const capped = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length
        if (size > MAX_BODY_BYTES) done(capError(host))
        else done(null, chunk)
      },
    })
    // an error on either side destroys both, and with the response its socket
    pipeline(body, capped, () => undefined)
    response.body = capped
    return handled
  }
  return handler
}

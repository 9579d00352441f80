import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// s3rver ships no types: this is the part of its API the tests use.
interface S3rverInstance {
  run(): Promise<AddressInfo>
  close(): Promise<void>
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance
// the part of Koa (which s3rver extends) that adds a header to every answer
type KoaMiddleware = (ctx: { set(name: string, value: string): void }, next: () => Promise<void>) => Promise<void>
interface AccountModule {
  DUMMY_ACCOUNT: {
    createKeyPair(accessKeyId: string, secretAccessKey: string): void
    revokeAccessKey(accessKeyId: string): void
  }
}

const require = createRequire(import.meta.url)

export interface S3Emulator {
  url: string
  close(): Promise<void>
}

// s3rver on a free loopback port and a temp directory; it answers InvalidAccessKeyId to keys not registered with it.
export async function startS3rver(
  buckets: string[],
  keys?: { accessKeyId: string; secretAccessKey: string },
): Promise<S3Emulator> {
  const S3rver = require('s3rver') as S3rverCtor
  const account = require('s3rver/lib/models/account') as AccountModule
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'))
  let requests = 0
  if (keys) account.DUMMY_ACCOUNT.createKeyPair(keys.accessKeyId, keys.secretAccessKey)
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  })
  // S3, MinIO and LocalStack tag every answer with a request id, which the s3 check requires; s3rver leaves it out
  ;(server as unknown as { middleware: KoaMiddleware[] }).middleware.unshift(async (ctx, next) => {
    await next()
    ctx.set('x-amz-request-id', `S3RVER${++requests}`)
  })
  const { port } = await server.run()
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await server.close()
      if (keys) account.DUMMY_ACCOUNT.revokeAccessKey(keys.accessKeyId)
      await rm(directory, { recursive: true, force: true })
    },
  }
}

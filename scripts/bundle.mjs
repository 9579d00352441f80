// Bundles the service into one file for production: loading a few hundred small modules (TypeBox alone ships
// 266) is most of the start-up time. SDKs stay external, so a service that is not configured never loads its SDK.
// `node scripts/bundle.mjs --outdir DIR` writes elsewhere than dist/ (the command's tests build their own copy).
import { build } from 'esbuild'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } })

await build({
  // the service, the worker thread its probes run in (src/server.ts starts dist/probe-thread.js), and the command
  entryPoints: { service: 'src/service.ts', 'probe-thread': 'src/probe-thread.ts', cli: 'src/cli/main.ts' },
  outdir: values.outdir,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  sourcemap: 'linked',
  external: ['@aws-sdk/*', '@smithy/*', 'stripe', 'nodemailer', 'pg', 'ioredis', '@fastify/swagger'],
  // bundled CommonJS dependencies call require()
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
})

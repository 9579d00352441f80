// Bundles the service into one file for production: loading a few hundred small modules (TypeBox alone ships
// 266) is most of the start-up time. SDKs stay external, so a service that is not configured never loads its SDK.
import { build } from 'esbuild'

await build({
  // the service, and the worker thread its probes run in (src/server.ts starts dist/probe-thread.js)
  entryPoints: { service: 'src/server.ts', 'probe-thread': 'src/probe-thread.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  external: ['@aws-sdk/*', '@smithy/*', 'stripe', 'nodemailer', 'pg', 'ioredis', '@fastify/swagger'],
  // bundled CommonJS dependencies call require()
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
})

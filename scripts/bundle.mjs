// Bundles the service into one file for production: loading a few hundred small modules (TypeBox alone ships
// 266) is most of the start-up time. SDKs stay external, so a service that is not configured never loads its SDK.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/server.ts'],
  outfile: 'dist/service.js',
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

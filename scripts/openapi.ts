// Writes openapi.yaml from the routes' schemas; `npm run openapi` after changing a route.
import { writeFileSync } from 'node:fs'
import { loadConfig } from '../src/config.js'
import { build } from '../src/server.js'

const app = await build(loadConfig({ HEALTH_LOG_LEVEL: 'silent' }, { envFile: false }), { openapi: true })
await app.ready()
writeFileSync(new URL('../openapi.yaml', import.meta.url), app.swagger({ yaml: true }))
await app.close()

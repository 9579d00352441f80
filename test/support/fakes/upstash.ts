import { json, startFake, type Fake } from './http.js'

export type UpstashMode = 'ok' | 'ratelimit' | 'error' | 'hang' | 'daily-limit' | 'noperm'

// As https://upstash.com/docs/redis/features/restapi documents: a JSON array posted to the root, a Bearer token
export async function startUpstashFake(token: string, mode: UpstashMode = 'ok'): Promise<Fake> {
  return startFake((req, res) => {
    if (mode === 'hang') return 'hang'
    if (req.headers.authorization !== `Bearer ${token}`)
      return json(res, 401, { error: 'WRONGPASS invalid or missing auth token' })
    if (mode === 'ratelimit') return json(res, 429, { error: 'ERR too many requests' }, { 'retry-after': '120' })
    if (mode === 'error') return json(res, 500, { error: 'ERR internal error' })
    if (mode === 'daily-limit')
      return json(res, 400, { error: 'ERR max daily request limit exceeded. Limit: 10000, Usage: 10000.' })
    // a token whose ACL lacks the command: Redis's own error, as Upstash passes it on
    if (mode === 'noperm')
      return json(res, 400, { error: "NOPERM this user has no permissions to run the 'ping' command" })
    let command: unknown
    try {
      command = JSON.parse(req.body)
    } catch {
      return json(res, 400, { error: 'ERR failed to parse command' })
    }
    if (req.method !== 'POST' || req.url !== '/' || !Array.isArray(command))
      return json(res, 400, { error: 'ERR failed to parse command' })
    if (String(command[0]).toUpperCase() === 'PING') return json(res, 200, { result: 'PONG' })
    json(res, 400, { error: `ERR unknown command '${String(command[0])}'` })
  })
}

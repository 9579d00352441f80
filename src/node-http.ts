import type * as Http from 'node:http'

// An ES import of node:http reads every export, and reading WebSocket, CloseEvent and MessageEvent loads fetch's
// undici (about 2 MB of heap in each thread); looked up instead, the module loads only what is used.
export const http: typeof Http = process.getBuiltinModule('node:http')

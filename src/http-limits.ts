// The HTTP server's limits and timeouts, set explicitly instead of left to Fastify's and Node's defaults. No route
// takes a body and the longest valid URL is a few hundred characters, so every size limit is small.
export const httpLimits = {
  // the request line and every header together; more is a 431 (Node's default is 16 KiB)
  maxHeaderBytes: 8192,
  // a longer URL is a 414; /health with every check name in exclude is well under it
  maxUrlLength: 2048,
  // the longest path segment, a check name in /health/{service}; a longer one is a 414
  maxParamLength: 100,
  // no route reads a body: a larger one is a 413 before it is read
  bodyLimit: 1024,
  // from the connection (or the previous answer) to the end of the request headers; slower is a 408
  headersTimeoutMs: 10_000,
  // to receive a whole request; Node requires it to be at least the headers timeout
  requestTimeoutMs: 15_000,
  // how often Node looks for connections past those two; its default, 30 s, cut a slow client after up to 40 s
  timeoutCheckIntervalMs: 1000,
  // an idle keep-alive connection is closed after this; shorter than the default HEALTH_SHUTDOWN_DELAY_MS, so none
  // is left idle when the server closes
  keepAliveTimeoutMs: 4000,
  // no inactivity timeout on a socket: an answer waits at most for its probe's timeout, which is a setting
  connectionTimeoutMs: 0,
  // the most characters of a client's input an error message repeats (then an ellipsis)
  echoMax: 64,
  // the longest error message
  maxMessageLength: 300,
} as const

// Runs in the loader thread: reports each resolved ESM URL to the main thread.
let port

export function initialize(data) {
  port = data.port
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  port.postMessage({ url: result.url, t: Date.now() })
  return result
}

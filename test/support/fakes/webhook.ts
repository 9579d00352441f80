import { startFake, type Fake, type FakeHandler, type RecordedRequest } from './http.js'

export interface Receiver extends Fake {
  // resolves with the requests once n have arrived; rejects after ms (generous: a busy machine is slow, never this slow)
  received(n: number, ms?: number): Promise<RecordedRequest[]>
}

// A webhook receiver on loopback (startFake's recording server) that tests can wait on, request by request.
export async function startReceiver(handler: FakeHandler = () => undefined): Promise<Receiver> {
  let waiters: (() => void)[] = []
  const fake = await startFake((req, res) => {
    const w = waiters
    waiters = []
    for (const f of w) f()
    return handler(req, res)
  })
  const received = (n: number, ms = 15_000) =>
    new Promise<RecordedRequest[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${fake.requests.length} of ${n} requests within ${ms} ms`)), ms)
      const check = () => {
        if (fake.requests.length < n) return void waiters.push(check)
        clearTimeout(timer)
        resolve(fake.requests.slice())
      }
      check()
    })
  return { ...fake, received }
}

// Wall-clock time in milliseconds; injected so tests move time instead of sleeping.
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

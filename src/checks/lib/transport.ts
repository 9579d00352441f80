// The most a probe reads of one answer from a dependency: a health check needs kilobytes, a flood is a fault.
export const MAX_BODY_BYTES = 1024 * 1024

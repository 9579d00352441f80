import type { CheckResult } from '../engine/result.js'

export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

// back to the start of the line and clear it: the counter line is rewritten in place
const CLEAR_LINE = '\r\x1b[2K'

// On a terminal, a line per check as it finishes and a counter below them; anywhere else (a pipe, a file) nothing,
// so a log never gets control characters.
export class Progress {
  private done = 0
  private readonly width: number

  constructor(
    private readonly out: ProgressStream,
    private readonly names: readonly string[],
  ) {
    this.width = Math.max(4, ...names.map((n) => n.length))
  }

  private get shown(): boolean {
    return this.out.isTTY === true
  }

  start(): void {
    if (this.shown) this.out.write(this.counter())
  }

  finished(result: CheckResult): void {
    if (!this.shown) return
    this.done++
    const took = result.status === 'skipped' ? '-' : `${Math.round(result.durationMs)}ms`
    const line = `${result.name.padEnd(this.width)} ${result.status.padEnd(7)} ${took.padStart(7)}`
    this.out.write(`${CLEAR_LINE}${line}\n${this.counter()}`)
  }

  end(): void {
    if (this.shown) this.out.write(CLEAR_LINE)
  }

  private counter(): string {
    return `checking: ${this.done} of ${this.names.length} done`
  }
}

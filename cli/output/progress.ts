import { formatBytes, formatEta } from './format.js'
import type { Writable } from 'node:stream'

/**
 * A one-line progress display for a terminal: queue position while waiting, then a bar with
 * bytes, rate and ETA. On a non-terminal it prints plain lines only when something changes
 * meaningfully (a new queue position, start, end), so logs stay readable.
 */
export class ProgressDisplay {
  readonly #out: Writable & { isTTY?: boolean, columns?: number }
  readonly #tty: boolean
  readonly #name: string
  #total = 0
  #done = 0
  #startedAt = 0
  #startBytes = 0
  #lastDraw = 0
  #lastPosition = -1
  #drawn = false

  constructor (out: Writable & { isTTY?: boolean, columns?: number }, name: string) {
    this.#out = out
    this.#tty = out.isTTY === true
    this.#name = name
  }

  queued (position: number, waiting: number, etaMs: number): void {
    if (position === this.#lastPosition) return
    this.#lastPosition = position
    const text = `${this.#name}: waiting in queue, position ${position} of ${waiting}${etaMs > 0 ? `, about ${formatEta(etaMs)}` : ''}`
    this.#line(text, true)
  }

  start (total: number, have: number, now = Date.now()): void {
    this.#total = total
    this.#done = have
    this.#startBytes = have
    this.#startedAt = now
    if (!this.#tty) this.#line(`${this.#name}: downloading ${formatBytes(total)}${have > 0 ? ` (${formatBytes(have)} already here)` : ''}`, true)
    else this.#draw(now, true)
  }

  advance (bytes: number, now = Date.now()): void {
    this.#done += bytes
    if (this.#tty) this.#draw(now, false)
  }

  /** Clears the bar (the caller prints the final line). */
  finish (): void {
    if (this.#tty && this.#drawn) this.#out.write('\r\x1b[K')
    this.#drawn = false
  }

  #draw (now: number, force: boolean): void {
    if (!force && now - this.#lastDraw < 100 && this.#done < this.#total) return
    this.#lastDraw = now
    const elapsed = Math.max(1, now - this.#startedAt) / 1000
    const rate = (this.#done - this.#startBytes) / elapsed
    const eta = rate > 0 ? ((this.#total - this.#done) / rate) * 1000 : NaN
    const frac = this.#total === 0 ? 1 : this.#done / this.#total
    const info = ` ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(this.#done)}/${formatBytes(this.#total)} ${formatBytes(rate)}/s ETA ${formatEta(eta)}`
    const width = Math.max(10, Math.min(40, (this.#out.columns ?? 80) - info.length - this.#name.length - 4))
    const filled = Math.round(frac * width)
    this.#line(`${this.#name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${info}`, false)
  }

  #line (text: string, persistent: boolean): void {
    if (this.#tty) {
      this.#out.write(`\r\x1b[K${text}`)
      this.#drawn = true
    } else if (persistent) {
      this.#out.write(text + '\n')
    }
  }
}

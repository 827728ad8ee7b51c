import { DEFAULT_RETRY_AFTER_MS, HOLD_EWMA_ALPHA, MIN_RETRY_AFTER_MS } from './constants.js'

/**
 * Estimates how long a grant is held, from the hold times of completed transfers (an
 * exponentially weighted moving average; the first sample sets it), and the waits derived
 * from it.
 */
export class HoldTimeEstimator {
  private average = 0
  private samples = 0

  /** Average hold in ms; 0 while unknown. */
  get averageMs (): number {
    return this.average
  }

  /** Adds the hold time of one completed transfer. */
  record (ms: number): void {
    const sample = Math.max(0, ms)
    this.average = this.samples === 0 ? sample : this.average + HOLD_EWMA_ALPHA * (sample - this.average)
    this.samples++
  }

  /** ceil(position / slots) rounds of the average hold, in whole ms; 0 while unknown. */
  etaMs (position: number, slots: number): number {
    return Math.round(Math.ceil(position / slots) * this.average)
  }

  /**
   * When a refused request should try again: about when one slot turns over (and so one
   * waiting place frees up), at least MIN_RETRY_AFTER_MS; DEFAULT_RETRY_AFTER_MS while unknown.
   */
  retryAfterMs (slots: number): number {
    if (this.samples === 0) {
      return DEFAULT_RETRY_AFTER_MS
    }
    return Math.max(MIN_RETRY_AFTER_MS, Math.ceil(this.average / slots))
  }
}

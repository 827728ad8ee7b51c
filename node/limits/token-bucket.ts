import type { UploadLimiter } from '../protocols/transfer/piece-source.js'

/** Options of a {@link TokenBucket}. */
export interface TokenBucketInit {
  /** Bytes per second. */
  rate: number
  /**
   * Bytes that may go out at once after a quiet spell.
   * @default a quarter of a second's worth, at least 64 KiB
   */
  burst?: number
  /** @default Date.now */
  now?: () => number
}

interface Waiter {
  bytes: number
  resolve: () => void
  reject: (err: unknown) => void
  signal?: AbortSignal
  onAbort?: () => void
}

/**
 * A token bucket shared by every upload stream of a node. Requests are served in the order
 * they arrive (a big piece cannot be starved by small ones); a request larger than the
 * bucket is let through once the bucket is full and then drives it into debt, so the
 * average rate holds for any piece size.
 */
export class TokenBucket implements UploadLimiter {
  readonly rate: number
  readonly burst: number
  readonly #now: () => number
  #tokens: number
  #last: number
  readonly #waiters: Waiter[] = []
  #timer?: NodeJS.Timeout

  constructor (init: TokenBucketInit) {
    if (!(init.rate > 0)) throw new RangeError('rate must be positive')
    this.rate = init.rate
    this.burst = init.burst ?? Math.max(64 * 1024, Math.floor(init.rate / 4))
    this.#now = init.now ?? Date.now
    this.#tokens = this.burst
    this.#last = this.#now()
  }

  /** Requests waiting for tokens now. */
  get waiting (): number {
    return this.#waiters.length
  }

  #refill (): void {
    const now = this.#now()
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate)
    this.#last = now
  }

  async acquire (bytes: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    if (this.#waiters.length === 0) {
      this.#refill()
      if (this.#tokens >= Math.min(bytes, this.burst)) {
        this.#tokens -= bytes
        return
      }
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { bytes, resolve, reject, signal }
      if (signal != null) {
        waiter.onAbort = () => {
          const i = this.#waiters.indexOf(waiter)
          if (i >= 0) this.#waiters.splice(i, 1)
          reject(signal.reason)
          // the timer was set for the head's needs: the next one may be ready sooner
          if (i === 0) this.#reschedule()
        }
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
      this.#waiters.push(waiter)
      this.#schedule()
    })
  }

  #schedule (): void {
    if (this.#timer != null) return
    this.#refill()
    const head = this.#waiters[0]
    if (head == null) return
    const need = Math.min(head.bytes, this.burst) - this.#tokens
    const delay = need <= 0 ? 0 : Math.ceil((need / this.rate) * 1000)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#release()
    }, delay)
  }

  #reschedule (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#schedule()
  }

  #release (): void {
    this.#refill()
    while (this.#waiters.length > 0) {
      const head = this.#waiters[0]
      if (this.#tokens < Math.min(head.bytes, this.burst)) break
      this.#tokens -= head.bytes
      this.#waiters.shift()
      if (head.onAbort != null) head.signal?.removeEventListener('abort', head.onAbort)
      head.resolve()
    }
    this.#schedule()
  }
}

import type { Grant } from '../queue/index.js'

/** What a {@link GrantWatcher} reports. */
export interface GrantObserver {
  /** A request was granted after waiting `waitedMs` since its arrival. */
  granted: (waitedMs: number) => void
  /** A grant ended (done, expired, lost) after holding its slot `heldMs`. */
  grantEnded: (heldMs: number) => void
}

/**
 * Follows the queue's grants from outside the queue: given the current grants after each
 * change, it reports the new ones (their wait) and the ended ones (their hold time). Costs
 * O(slots) per change and remembers only the current grants.
 */
export class GrantWatcher {
  readonly #observer: GrantObserver
  readonly #now: () => number
  /** `${peerId}\n${requestId}` -> grantedAt. */
  #current = new Map<string, number>()

  constructor (observer: GrantObserver, now: () => number = Date.now) {
    this.#observer = observer
    this.#now = now
  }

  update (grants: Grant[]): void {
    const next = new Map<string, number>()
    for (const g of grants) {
      const key = `${g.peerId}\n${g.requestId}`
      next.set(key, g.grantedAt)
      if (!this.#current.has(key)) this.#observer.granted(g.grantedAt - g.arrivedAt)
    }
    let now: number | undefined
    for (const [key, grantedAt] of this.#current) {
      if (next.has(key)) continue
      now ??= this.#now()
      this.#observer.grantEnded(now - grantedAt)
    }
    this.#current = next
  }
}

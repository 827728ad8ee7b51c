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
 * O(slots) per change, allocates nothing, and remembers only the current grants.
 */
export class GrantWatcher {
  readonly #observer: GrantObserver
  readonly #now: () => number
  /** Current grant -> grantedAt, by identity (the queue keeps one record per request). */
  #current = new Map<object, number>()
  #next = new Map<object, number>()

  constructor (observer: GrantObserver, now: () => number = Date.now) {
    this.#observer = observer
    this.#now = now
  }

  /**
   * `grants`: the grants held now, each the same object for as long as it is held (the
   * queue's records, see RequestQueue.grantsView); read here, not kept past the next call.
   */
  update (grants: Iterable<Readonly<Grant>>): void {
    const next = this.#next
    for (const g of grants) {
      next.set(g, g.grantedAt)
      if (!this.#current.has(g)) this.#observer.granted(g.grantedAt - g.arrivedAt)
    }
    let now: number | undefined
    for (const [g, grantedAt] of this.#current) {
      if (next.has(g)) continue
      now ??= this.#now()
      this.#observer.grantEnded(now - grantedAt)
    }
    // the two maps swap: no allocation per change
    this.#current.clear()
    this.#next = this.#current
    this.#current = next
  }
}

import type { Grant, QueueClock, QueueEntry, QueueListener } from './index.js'
import type { LineItem } from './waiting-line.js'

/** What a {@link QueuedRequest} is doing. */
export type RequestState = 'waiting' | 'granted' | 'gone'

/** One request's mutable state inside the queue. A class so that thousands share one shape. */
export class QueuedRequest implements LineItem {
  readonly peerId: string
  readonly requestId: string
  readonly cid: string
  readonly arrivedAt: number
  readonly seq: number
  /** Source address key counted against `maxPerSource`, if known. */
  readonly source: string | undefined
  state: RequestState = 'waiting'
  /** undefined while detached. */
  listener: QueueListener | undefined
  lineIndex = -1
  /** Current 1-based position, kept exact while waiting. */
  position = 0
  /** Last position told to the listener; 0 forces the next notice out. */
  notified = 0
  /** Already in the outbox for a position notice. */
  pendingNotice = false
  grantedAt = 0
  expiresAt = 0
  /** Ends the grant at `expiresAt`. */
  readonly lease = new OneShot()
  /** Drops the request once detached for `graceMs`. */
  readonly grace = new OneShot()
  /** Ends a grant without progress for `idleMs`. */
  readonly idle = new OneShot()
  /** Clock time of the last progress of the grant (granted: its grant time). */
  lastProgressAt = 0

  constructor (entry: { peerId: string, requestId: string, cid: string, source?: string }, arrivedAt: number, seq: number, listener: QueueListener) {
    this.peerId = entry.peerId
    this.requestId = entry.requestId
    this.cid = entry.cid
    this.arrivedAt = arrivedAt
    this.seq = seq
    this.source = entry.source
    this.listener = listener
  }

  /** A detached copy of the public fields. */
  toEntry (): QueueEntry {
    return {
      peerId: this.peerId,
      requestId: this.requestId,
      cid: this.cid,
      arrivedAt: this.arrivedAt,
      seq: this.seq
    }
  }

  /** A detached copy of the grant (meaningful once granted). */
  toGrant (): Grant {
    return { ...this.toEntry(), grantedAt: this.grantedAt, expiresAt: this.expiresAt }
  }
}

/** One re-armable timer on a queue clock. */
export class OneShot {
  #handle: unknown = undefined
  #armed = false

  /** Set while the timer is pending. */
  get armed (): boolean {
    return this.#armed
  }

  /** (Re)starts the timer: `fn` runs after `ms` unless cleared or re-armed first. */
  arm (clock: QueueClock, ms: number, fn: () => void): void {
    this.clear(clock)
    this.#armed = true
    this.#handle = clock.setTimeout(() => { this.#armed = false; fn() }, ms)
  }

  clear (clock: QueueClock): void {
    if (this.#armed) {
      clock.clearTimeout(this.#handle)
      this.#armed = false
    }
  }
}

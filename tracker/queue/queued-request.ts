import type { Grant, QueueEntry, QueueListener } from './index.js'
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
  leaseTimer: unknown = undefined
  hasLease = false
  graceTimer: unknown = undefined
  hasGrace = false

  constructor (entry: { peerId: string, requestId: string, cid: string }, arrivedAt: number, seq: number, listener: QueueListener) {
    this.peerId = entry.peerId
    this.requestId = entry.requestId
    this.cid = entry.cid
    this.arrivedAt = arrivedAt
    this.seq = seq
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

import { QueuedRequest } from './queued-request.js'
import type { QueueEvent, QueueListener } from './index.js'
import type { Logger } from '@libp2p/interface'

/** An event for one listener, delivered as is (grants and expiries). */
interface DirectNotice {
  listener: QueueListener
  event: QueueEvent
}

/**
 * Events waiting to reach listeners. The queue settles its state first and flushes after, so a
 * listener may call back into the queue (its calls append here and are delivered in the same
 * flush). A position notice is queued at most once per request and carries the position at
 * delivery time, so repeated moves coalesce and a listener never sees its position go up.
 */
export class Outbox {
  private notices: Array<QueuedRequest | DirectNotice> = []
  private flushing = false
  private readonly positionEvent: (request: QueuedRequest) => QueueEvent
  private readonly log: Logger

  /** `positionEvent` builds the event for a waiting request from its current position. */
  constructor (positionEvent: (request: QueuedRequest) => QueueEvent, log: Logger) {
    this.positionEvent = positionEvent
    this.log = log
  }

  /** Queues `event` for `listener`. */
  send (listener: QueueListener, event: QueueEvent): void {
    this.notices.push({ listener, event })
  }

  /** Queues a position notice for `request` unless one is pending or it has no listener. */
  notice (request: QueuedRequest): void {
    if (!request.pendingNotice && request.listener !== undefined) {
      request.pendingNotice = true
      this.notices.push(request)
    }
  }

  /** Delivers everything queued; a no-op when called from inside a delivery. */
  flush (): void {
    if (this.flushing) {
      return
    }
    this.flushing = true
    try {
      // the length is re-read: deliveries may queue more
      for (let i = 0; i < this.notices.length; i++) {
        const notice = this.notices[i]
        if (notice instanceof QueuedRequest) {
          notice.pendingNotice = false
          const listener = notice.listener
          if (notice.state === 'waiting' && listener !== undefined && notice.position !== notice.notified) {
            notice.notified = notice.position
            this.deliver(listener, this.positionEvent(notice))
          }
        } else {
          this.deliver(notice.listener, notice.event)
        }
      }
    } finally {
      this.notices = []
      this.flushing = false
    }
  }

  /** Drops everything queued. */
  clear (): void {
    for (const notice of this.notices) {
      if (notice instanceof QueuedRequest) {
        notice.pendingNotice = false
      }
    }
    this.notices = []
  }

  private deliver (listener: QueueListener, event: QueueEvent): void {
    try {
      listener(event)
    } catch (err) {
      // a throwing listener is the caller's bug; it must not corrupt the queue or reach a timer
      this.log.error('a queue listener threw on a %s event - %e', event.type, err)
    }
  }
}

import type { QueuedRequest } from './queued-request.js'
import type { QueueClock } from './index.js'

/** What the timers report back to the queue. */
export interface RequestTimerHandlers {
  /** The grant's lease ran out, or it made no progress for `idleMs`. */
  grantOver: (request: QueuedRequest) => void
  /** The request stayed detached for `graceMs`. */
  graceOver: (request: QueuedRequest) => void
}

/**
 * The three one-shot timers of each request (lease, idle check, grace), armed and cleared on
 * the queue's clock. One idle timer per grant, re-armed for the rest of the period while
 * progress is seen, rather than one per progress report.
 */
export class RequestTimers {
  readonly #clock: QueueClock
  readonly #idleMs: number
  readonly #graceMs: number
  readonly #on: RequestTimerHandlers

  constructor (clock: QueueClock, idleMs: number, graceMs: number, on: RequestTimerHandlers) {
    this.#clock = clock
    this.#idleMs = idleMs
    this.#graceMs = graceMs
    this.#on = on
  }

  /** Ends the grant at its `expiresAt` (re-armed on each renewal). */
  startLease (request: QueuedRequest): void {
    request.lease.arm(this.#clock, request.expiresAt - this.#clock.now(), () => {
      request.lease.clear(this.#clock)
      this.#on.grantOver(request)
    })
  }

  /** Starts the idle check of a fresh grant. */
  startIdle (request: QueuedRequest, ms = this.#idleMs): void {
    request.idle.arm(this.#clock, ms, () => { this.#idleCheck(request) })
  }

  /** Starts the grace period of a detached request, unless it already runs. */
  startGrace (request: QueuedRequest): void {
    if (!request.grace.armed) {
      request.grace.arm(this.#clock, this.#graceMs, () => { this.#on.graceOver(request) })
    }
  }

  /** Stops the grace period (the holder is back). */
  clearGrace (request: QueuedRequest): void {
    request.grace.clear(this.#clock)
  }

  clearAll (request: QueuedRequest): void {
    request.lease.clear(this.#clock)
    request.grace.clear(this.#clock)
    request.idle.clear(this.#clock)
  }

  #idleCheck (request: QueuedRequest): void {
    if (request.state !== 'granted') return
    const idleFor = this.#clock.now() - request.lastProgressAt
    if (idleFor < this.#idleMs) {
      this.startIdle(request, this.#idleMs - idleFor)
      return
    }
    request.lease.clear(this.#clock)
    this.#on.grantOver(request)
  }
}

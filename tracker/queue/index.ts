/**
 * The tracker's request queue: peers ask for a cid and are granted a transfer slot strictly in
 * arrival order, with position/ETA updates pushed while they wait. Pure data structure — no
 * network, no wall clock unless the default one is used — so the tracker protocol handler and
 * the tests drive it directly.
 *
 * @example
 * ```ts
 * const queue = new RequestQueue({ slots: 4 })
 * queue.request({ peerId, requestId, cid }, (event) => {
 *   if (event.type === 'granted') { issueTicket(event.grant) }
 * })
 * // later: queue.release({ peerId, requestId }, true)
 * ```
 */
import type { ComponentLogger } from '@libp2p/interface'

/** Time and timers, injectable so tests can run the queue on a fake clock. */
export interface QueueClock {
  /** Milliseconds; the default is `Date.now()`, and grants carry times from it. */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Options of a {@link RequestQueue}. */
export interface RequestQueueInit {
  /**
   * Concurrent grants (transfer slots).
   *
   * @default 4
   */
  slots?: number
  /**
   * Waiting requests beyond which new ones are refused with QUEUE_FULL. A request that finds a
   * free slot is never refused for this reason.
   *
   * @default 10000
   */
  maxWaiting?: number
  /**
   * Waiting + granted requests one peer may hold; more are refused with PEER_LIMIT.
   *
   * @default 8
   */
  maxPerPeer?: number
  /**
   * Grants one peer may hold at once. Its further requests wait in the line without blocking
   * the requests behind them, and are granted (in arrival order among eligible requests) once
   * one of its grants ends.
   *
   * @default 1
   */
  maxActivePerPeer?: number
  /**
   * Waiting + granted requests from one source address (an IPv4 address or an IPv6 /64, see
   * `sourceOf`); more are refused with ADDRESS_LIMIT. Requests without a source are not counted.
   *
   * @default 64
   */
  maxPerSource?: number
  /**
   * A grant that makes no progress (see `progress()`) for this long loses its slot, and
   * renewals do not extend the lease of a grant without progress for this long.
   *
   * @default 30000
   */
  idleMs?: number
  /**
   * How long a grant lives unless renewed or released.
   *
   * @default 60000
   */
  leaseMs?: number
  /**
   * How long a detached request keeps its place (waiting) or its slot (granted).
   *
   * @default 15000
   */
  graceMs?: number
  /**
   * Waiting places (1..N) told of every move at once. A request further back hears its
   * latest position within `positionRefreshMs` instead, so a grant with thousands waiting
   * does not cost thousands of notices. `Infinity`: everyone at once.
   *
   * @default 64
   */
  eagerPositions?: number
  /**
   * Longest a request behind the eager places goes without hearing its changed position.
   *
   * @default 1000
   */
  positionRefreshMs?: number
  /**
   * Time and timers.
   *
   * @default the wall clock and Node's (unref'd) timers
   */
  clock?: QueueClock
  /** Called after every change worth persisting (arrivals, grants, releases, renewals, expiries). */
  onChange?: () => void
  /**
   * Where a listener that throws is reported (component `mediaswarm:tracker:queue`).
   *
   * @default defaultLogger() from `@libp2p/logger`
   */
  logger?: ComponentLogger
}

/** Identifies a request: the peer that made it and the id that peer chose for it. */
export interface QueueRequestKey {
  peerId: string
  requestId: string
}

/** What `request()` is given: the key, the cid, and optionally where the request came from. */
export interface QueueRequestInit extends QueueRequestKey {
  cid: string
  /** Source address key (IPv4 address or IPv6 /64) counted against `maxPerSource`. */
  source?: string
}

/** A request in the queue. */
export interface QueueEntry extends QueueRequestKey {
  cid: string
  /** Clock time of the first `request()` call (re-attaching does not change it). */
  arrivedAt: number
  /** Arrival number, increasing by one per new request: grants follow it. */
  seq: number
}

/** A request holding a transfer slot. */
export interface Grant extends QueueEntry {
  grantedAt: number
  /** The slot is freed at this time unless the grant is renewed or released first. */
  expiresAt: number
}

/** What a request's listener is told. */
export type QueueEvent =
  /** Still waiting: `position` is 1-based among `waiting` requests; `etaMs` is an estimate. */
  | { type: 'position', position: number, waiting: number, etaMs: number }
  /** A slot is the request's; also re-sent when a granted request is re-attached. */
  | { type: 'granted', grant: Grant }
  /** The grant's lease ran out (the slot is gone), or a detached request's grace ran out. */
  | { type: 'expired' }

/** Receives the {@link QueueEvent}s of one request; must not throw (errors are logged). */
export type QueueListener = (event: QueueEvent) => void

/**
 * The `refusal` of a `QueueRefusedError` thrown by `request()`: QUEUE_FULL (with a
 * retry-after), PEER_LIMIT, ADDRESS_LIMIT (too many from one source address), BAD_REQUEST (a known requestId asked again for another cid) or
 * SHUTTING_DOWN (the queue was stopped). The names match the queue protocol's `Refusal` enum.
 */
export type QueueRefusal = 'QUEUE_FULL' | 'PEER_LIMIT' | 'ADDRESS_LIMIT' | 'BAD_REQUEST' | 'SHUTTING_DOWN'

/** A request as saved across a restart: granted ones carry their grant times. */
export interface SavedRequest extends QueueEntry {
  grantedAt?: number
  expiresAt?: number
}

/** Counters of a {@link RequestQueue}. */
export interface QueueStats {
  waiting: number
  granted: number
  slots: number
  /** Moving average of completed hold times, rounded; 0 until one is known. */
  avgHoldMs: number
}

export { RequestQueue } from './request-queue.js'
export { realClock } from './clock.js'
export { addressKey as sourceOf } from '../../node/host/address-limits.js'
export * from './constants.js'

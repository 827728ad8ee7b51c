import { QueueRefusedError } from '../../node/errors.js'
import type { QueueRefusal } from './index.js'

/** Counts per key, forgetting keys that drop to zero (so memory follows live entries only). */
export class Tally {
  readonly #counts = new Map<string, number>()

  get (key: string): number {
    return this.#counts.get(key) ?? 0
  }

  add (key: string, delta: number): void {
    const n = this.get(key) + delta
    if (n <= 0) this.#counts.delete(key)
    else this.#counts.set(key, n)
  }

  clear (): void {
    this.#counts.clear()
  }
}

/** What {@link Admission} needs to know of a request. */
interface Admitted {
  peerId: string
  source?: string
}

/** The queue's limits that {@link Admission} enforces (see RequestQueueInit). */
export interface AdmissionLimits {
  maxPerPeer: number
  maxActivePerPeer: number
  maxPerSource: number
  maxWaiting: number
}

/** Where the queue stands when a new request arrives. */
export interface Arrival {
  /** Requests (waiting + granted) the request's peer holds already. */
  held: number
  /** Whether the request has to wait (no free slot, or its peer is at its grant limit). */
  mustWait: boolean
  /** Requests waiting now. */
  waiting: number
  /** The retry hint of a refusal for lack of room. */
  retryAfterMs: () => number
}

/**
 * The queue's limits and per-peer and per-address accounting: which new requests are
 * refused, and who may take a grant. Requests held per peer are counted by the queue's own
 * index, grants per peer and requests per source address here.
 */
export class Admission {
  readonly #limits: AdmissionLimits
  readonly #active = new Tally()
  readonly #sources = new Tally()

  constructor (limits: AdmissionLimits) {
    this.#limits = { ...limits }
  }

  /**
   * Throws the refusal a new request meets, checked in this order: PEER_LIMIT (its peer holds
   * `maxPerPeer` requests), ADDRESS_LIMIT (its source address holds `maxPerSource`),
   * QUEUE_FULL (it must wait and `maxWaiting` wait already; a request that finds a free slot
   * is never refused for this).
   */
  admit (request: Admitted, at: Arrival): void {
    const { maxPerPeer, maxPerSource, maxWaiting } = this.#limits
    if (at.held >= maxPerPeer) {
      throw refused('PEER_LIMIT', `A peer may hold at most ${maxPerPeer} queued or granted requests`)
    }
    if (request.source !== undefined && this.#sources.get(request.source) >= maxPerSource) {
      throw refused('ADDRESS_LIMIT', `One address may hold at most ${maxPerSource} queued or granted requests`, at.retryAfterMs())
    }
    if (at.mustWait && at.waiting >= maxWaiting) {
      throw refused('QUEUE_FULL', `The queue is full (${at.waiting} waiting)`, at.retryAfterMs())
    }
  }

  /** Whether `peerId` may take one more grant. */
  mayGrant (peerId: string): boolean {
    return this.#active.get(peerId) < this.#limits.maxActivePerPeer
  }

  /** A request entered (+1) or left (-1) the queue. */
  queued (request: Admitted, delta: 1 | -1): void {
    if (request.source !== undefined) this.#sources.add(request.source, delta)
  }

  /** A request took (+1) or gave up (-1) a grant. */
  granted (request: Admitted, delta: 1 | -1): void {
    this.#active.add(request.peerId, delta)
  }

  clear (): void {
    this.#active.clear()
    this.#sources.clear()
  }
}

/** A typed queue refusal. */
export function refused (refusal: QueueRefusal, message: string, retryAfterMs = 0): QueueRefusedError {
  return new QueueRefusedError(refusal, message, retryAfterMs)
}

/** `value`, or a RangeError naming the option when it is not an integer in [min, max]. */
export function checkInteger (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`)
  }
  return value
}

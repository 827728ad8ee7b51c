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

/**
 * The queue's per-peer and per-address accounting: requests held per peer are counted by the
 * queue's own index, grants per peer and requests per source address here.
 */
export class Admission {
  readonly #maxActivePerPeer: number
  readonly #maxPerSource: number
  readonly #active = new Tally()
  readonly #sources = new Tally()

  constructor (maxActivePerPeer: number, maxPerSource: number) {
    this.#maxActivePerPeer = maxActivePerPeer
    this.#maxPerSource = maxPerSource
  }

  /** Throws ADDRESS_LIMIT when the request's source address holds its share already. */
  checkSource (request: Admitted, retryAfterMs: number): void {
    if (request.source !== undefined && this.#sources.get(request.source) >= this.#maxPerSource) {
      throw refused('ADDRESS_LIMIT', `One address may hold at most ${this.#maxPerSource} queued or granted requests`, retryAfterMs)
    }
  }

  /** Whether `peerId` may take one more grant. */
  mayGrant (peerId: string): boolean {
    return this.#active.get(peerId) < this.#maxActivePerPeer
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

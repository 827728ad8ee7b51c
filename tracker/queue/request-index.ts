import type { QueuedRequest } from './queued-request.js'
import type { QueueRequestKey } from './index.js'

/** The queue's requests by (peerId, requestId): lookups, per-peer counts, every request. */
export class RequestIndex {
  readonly #byPeer = new Map<string, Map<string, QueuedRequest>>()

  /** The request with this key, if the queue holds it. */
  find (key: QueueRequestKey): QueuedRequest | undefined {
    return this.#byPeer.get(key.peerId)?.get(key.requestId)
  }

  /** How many requests (waiting or granted) `peerId` holds. */
  countOf (peerId: string): number {
    return this.#byPeer.get(peerId)?.size ?? 0
  }

  /** The requests of one peer, in the order they were added. */
  ofPeer (peerId: string): Iterable<QueuedRequest> {
    return this.#byPeer.get(peerId)?.values() ?? []
  }

  /** Every request held. */
  * all (): Iterable<QueuedRequest> {
    for (const own of this.#byPeer.values()) yield * own.values()
  }

  add (request: QueuedRequest): void {
    let own = this.#byPeer.get(request.peerId)
    if (own === undefined) {
      own = new Map()
      this.#byPeer.set(request.peerId, own)
    }
    own.set(request.requestId, request)
  }

  delete (request: QueuedRequest): void {
    const own = this.#byPeer.get(request.peerId)
    own?.delete(request.requestId)
    if (own?.size === 0) this.#byPeer.delete(request.peerId)
  }

  clear (): void {
    this.#byPeer.clear()
  }
}

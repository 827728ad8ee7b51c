import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'

/** PeerIds a {@link PeerIdCache} keeps by default (the ticket issuer caches as many peers' addresses). */
export const PEER_ID_CACHE_SIZE = 10_000

/**
 * Parsed PeerIds by their string, the least recently used dropped first beyond `size` (a
 * string names one PeerId for ever, so an entry never goes stale; the bound only keeps a
 * stream of made-up ids from growing it). Every ticket looks its providers up in the host's
 * connections and relay reservations, which take a PeerId: parsing one (base58, multihash,
 * public key) cost 10-20 µs, up to four per provider and fifteen providers per ticket, in the
 * grant's own turn of the event loop.
 */
export class PeerIdCache {
  readonly #size: number
  readonly #ids = new Map<string, PeerId>()

  constructor (size = PEER_ID_CACHE_SIZE) {
    this.#size = Math.max(1, size)
  }

  /** The PeerId `id` names; throws as peerIdFromString does when it names none (not cached). */
  get (id: string): PeerId {
    let peerId = this.#ids.get(id)
    if (peerId != null) {
      // most recently used last
      this.#ids.delete(id)
    } else {
      peerId = peerIdFromString(id)
      if (this.#ids.size >= this.#size) {
        const [oldest] = this.#ids.keys()
        this.#ids.delete(oldest)
      }
    }
    this.#ids.set(id, peerId)
    return peerId
  }

  /** PeerIds held now. */
  get size (): number {
    return this.#ids.size
  }
}

/** The cache the tracker's grant path shares. */
export const peerIds = new PeerIdCache()

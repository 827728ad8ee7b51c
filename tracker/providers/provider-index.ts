/** What one peer holds of one file. */
export interface Holding {
  complete: boolean
  /** Piece ranges [start, end) when not complete. */
  ranges: Array<{ start: number, end: number }>
  updatedAt: number
}

/**
 * Which peers hold which files (whole or in part), kept by announcements and disconnects.
 * Tickets name these peers before the tracker.
 */
export class ProviderIndex {
  readonly #byCid = new Map<string, Map<string, Holding>>()
  readonly #byPeer = new Map<string, Set<string>>()

  /** Records that `peer` holds `cid` (whole, or the given ranges). */
  have (peer: string, cid: string, holding: Omit<Holding, 'updatedAt'>, now = Date.now()): void {
    if (!holding.complete && holding.ranges.length === 0) {
      this.lost(peer, cid)
      return
    }
    let peers = this.#byCid.get(cid)
    if (peers == null) { peers = new Map(); this.#byCid.set(cid, peers) }
    peers.set(peer, { ...holding, updatedAt: now })
    let cids = this.#byPeer.get(peer)
    if (cids == null) { cids = new Set(); this.#byPeer.set(peer, cids) }
    cids.add(cid)
  }

  /** `peer` no longer holds `cid`. */
  lost (peer: string, cid: string): void {
    const peers = this.#byCid.get(cid)
    peers?.delete(peer)
    if (peers?.size === 0) this.#byCid.delete(cid)
    const cids = this.#byPeer.get(peer)
    cids?.delete(cid)
    if (cids?.size === 0) this.#byPeer.delete(peer)
  }

  /** `peer` went away: forget everything it held. */
  removePeer (peer: string): void {
    for (const cid of this.#byPeer.get(peer) ?? []) {
      const peers = this.#byCid.get(cid)
      peers?.delete(peer)
      if (peers?.size === 0) this.#byCid.delete(cid)
    }
    this.#byPeer.delete(peer)
  }

  /** Peers holding `cid`: complete holders first, then the most recently updated. */
  providers (cid: string): Array<{ peer: string, holding: Holding }> {
    const peers = this.#byCid.get(cid)
    if (peers == null) return []
    return [...peers.entries()]
      .map(([peer, holding]) => ({ peer, holding }))
      .sort((a, b) => Number(b.holding.complete) - Number(a.holding.complete) || b.holding.updatedAt - a.holding.updatedAt)
  }

  /** Number of peers known to hold anything. */
  get peers (): number { return this.#byPeer.size }

  /** Files held, per cid: number of holders. */
  counts (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [cid, peers] of this.#byCid) out[cid] = peers.size
    return out
  }
}

/** Bytes moved for one file, by source. */
export interface FileTransferStats {
  /** Bytes the tracker uploaded (counted as it sent them). */
  servedByTracker: number
  /** Bytes peers reported receiving from other peers (reported when done, clamped to the file size). */
  servedByPeers: number
  /** Downloads reported done. */
  completed: number
}

/** (peer, file) pairs whose tracker upload is remembered until their DONE; the oldest go first. */
const MAX_HOLDERS_TRACKED = 100_000

/** The tracker's offload accounting: how much of each file came from peers instead of it. */
export class TransferStats {
  readonly #files = new Map<string, FileTransferStats>()
  /** `${cid} ${peer}` -> bytes the tracker served that peer of that file since its last DONE. */
  readonly #servedTo = new Map<string, number>()
  #totalTracker = 0
  #totalPeers = 0

  #get (cid: string): FileTransferStats {
    let s = this.#files.get(cid)
    if (s == null) { s = { servedByTracker: 0, servedByPeers: 0, completed: 0 }; this.#files.set(cid, s) }
    return s
  }

  /** The tracker sent `bytes` of `cid` to `peer`. */
  trackerServed (cid: string, bytes: number, peer?: string): void {
    this.#get(cid).servedByTracker += bytes
    this.#totalTracker += bytes
    if (peer == null) return
    const key = `${cid} ${peer}`
    this.#servedTo.set(key, (this.#servedTo.get(key) ?? 0) + bytes)
    if (this.#servedTo.size > MAX_HOLDERS_TRACKED) {
      const [oldest] = this.#servedTo.keys()
      this.#servedTo.delete(oldest)
    }
  }

  /** Bytes of `cid` the tracker served `peer` since its last DONE for that file. */
  servedTo (peer: string, cid: string): number {
    return this.#servedTo.get(`${cid} ${peer}`) ?? 0
  }

  /**
   * A download reported done. The counts are clamped to what is possible: bytes from the
   * tracker to what the tracker served that peer, bytes from peers to the file size.
   * Returns the clamped counts.
   */
  done (peer: string, cid: string, report: { fromTracker: number, fromPeers: number, success: boolean }, size: number): { fromTracker: number, fromPeers: number } {
    const clamp = (n: number, max: number): number => Number.isFinite(n) && n > 0 ? Math.min(n, max) : 0
    const fromTracker = clamp(report.fromTracker, this.servedTo(peer, cid))
    const fromPeers = clamp(report.fromPeers, size)
    this.#servedTo.delete(`${cid} ${peer}`)
    const s = this.#get(cid)
    s.servedByPeers += fromPeers
    this.#totalPeers += fromPeers
    if (report.success) s.completed++
    return { fromTracker, fromPeers }
  }

  byFile (): Record<string, FileTransferStats> {
    return Object.fromEntries([...this.#files].map(([cid, s]) => [cid, { ...s }]))
  }

  /** Bytes the tracker uploaded, all files. */
  get totalServedByTracker (): number {
    return this.#totalTracker
  }

  /** Bytes peers reported receiving from other peers (clamped), all files. */
  get totalServedByPeers (): number {
    return this.#totalPeers
  }
}

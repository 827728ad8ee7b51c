/** Bytes moved for one file, by source. */
export interface FileTransferStats {
  /** Bytes the tracker uploaded (counted as it sent them). */
  servedByTracker: number
  /** Bytes peers reported receiving from other peers (reported when done). */
  servedByPeers: number
  /** Downloads reported done. */
  completed: number
}

/** The tracker's offload accounting: how much of each file came from peers instead of it. */
export class TransferStats {
  readonly #files = new Map<string, FileTransferStats>()

  #get (cid: string): FileTransferStats {
    let s = this.#files.get(cid)
    if (s == null) { s = { servedByTracker: 0, servedByPeers: 0, completed: 0 }; this.#files.set(cid, s) }
    return s
  }

  trackerServed (cid: string, bytes: number): void {
    this.#get(cid).servedByTracker += bytes
  }

  done (cid: string, fromPeers: number, success: boolean): void {
    const s = this.#get(cid)
    s.servedByPeers += fromPeers
    if (success) s.completed++
  }

  byFile (): Record<string, FileTransferStats> {
    return Object.fromEntries([...this.#files].map(([cid, s]) => [cid, { ...s }]))
  }

  get totalServedByTracker (): number {
    let n = 0
    for (const s of this.#files.values()) n += s.servedByTracker
    return n
  }
}

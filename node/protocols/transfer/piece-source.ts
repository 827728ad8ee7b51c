import type { Bitfield } from '../../store/index.js'

/** A file a node can serve pieces of. */
export interface ServableFile {
  readonly pieceCount: number
  /** The pieces held now. */
  readonly bitfield: Bitfield
  readPiece(index: number): Promise<Uint8Array>
  /** Called with each piece that becomes available later (partial seeding). */
  onPiece?(listener: (index: number) => void): () => void
  /** Releases what serving held open (called when the stream ends). */
  close?(): Promise<void>
}

/** Where a transfer server finds what it serves: the tracker's library, or a peer's store. */
export interface PieceSource {
  lookup(cid: string): Promise<ServableFile | undefined>
}

/** Throttles uploads; see the token bucket. */
export interface UploadLimiter {
  /** Resolves when `bytes` may be sent. */
  acquire(bytes: number, signal?: AbortSignal): Promise<void>
}

import type { Bitfield } from '../../store/index.js'

/** A file a node can serve pieces of. */
export interface ServableFile {
  readonly pieceCount: number
  /** The pieces held now. */
  readonly bitfield: Bitfield
  /**
   * The piece's bytes, or undefined when it is not here (any more): for example it failed
   * verification. The server then answers "not here" (length 0), as it does when this throws.
   * The server does not modify the bytes.
   *
   * `into` (at least {@link pieceSize} bytes, given only when `pieceSize` is set) may be
   * used for the bytes: the result is then a view of it. The server reuses it for a later
   * piece once the transport has let go of it, so an implementation must not keep it.
   */
  readPiece(index: number, into?: Uint8Array): Promise<Uint8Array | undefined>
  /**
   * The size of every piece but the last. When set, the server may pass `readPiece` a
   * buffer to read into (see {@link PieceBuffers}). Optional.
   */
  readonly pieceSize?: number
  /**
   * True when `peer` is known to hold piece `index` already: no HAVE for it is sent to that
   * peer. Optional; without it every new piece is announced.
   */
  knownHeldBy?(peer: string, index: number): boolean
  /** Called with each piece that becomes available later (partial seeding). */
  onPiece?(listener: (index: number) => void): () => void
  /**
   * How often this piece was handed out so far, over every stream of this file (the
   * tracker's super-seeding). When present, the server sends the least-served of the pieces
   * a downloader asked for first (ties in the order asked), and reports each piece it takes
   * with {@link markServed}. When absent, pieces go in the order asked.
   */
  timesServed?(index: number): number
  /** Counts one more hand-out of this piece (see {@link timesServed}). */
  markServed?(index: number): void
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

import { BadPieceError } from '../errors.js'
import { PieceHasher } from './piece-hasher.js'
import type { PiecePicker } from './piece-picker.js'
import type { DownloadEvent } from './session-types.js'
import type { Manifest } from '../manifest/index.js'

/** Verified pieces waiting to be written, at most. */
export const MAX_PENDING_WRITES = 4

/** The provider a piece came from, as {@link PieceWrites} sees it. */
export interface PieceSender {
  readonly id: string
  /** Aborted with BadPieceError when a piece from it fails verification. */
  readonly abort: AbortController
}

/** Options of {@link PieceWrites}. */
export interface PieceWritesInit<S extends PieceSender = PieceSender> {
  manifest: Manifest
  picker: Pick<PiecePicker, 'done' | 'release' | 'completed' | 'complete'>
  writePiece: (index: number, bytes: Uint8Array | (Iterable<Uint8Array> & { byteLength: number })) => Promise<void>
  /** The session ended: late pieces are dropped. */
  finished: () => boolean
  /**
   * A piece from `from` was verified and is about to be written (`askedOf`: the providers it
   * was requested from, whose requests may now be cancelled).
   */
  verified: (from: S, index: number, askedOf: string[]) => void
  /** Every piece is verified and written. */
  done: () => void
  /** A write failed: the session ends with `err`. */
  failed: (err: Error) => void
  onProgress?: (event: DownloadEvent) => void
  /** Hash in the thread pool. @default when a second core is free (see PieceHasher) */
  offload?: boolean
}

/**
 * Verifies received pieces against the manifest and writes them, in the background while
 * the next piece is read, a few at a time ({@link MAX_PENDING_WRITES}: memory stays at a
 * few pieces). A bad piece aborts its provider's stream (its read loop throws BadPieceError);
 * a copy of a piece verified already is counted as a duplicate and dropped.
 */
export class PieceWrites<S extends PieceSender = PieceSender> {
  readonly #init: PieceWritesInit<S>
  readonly #hasher: PieceHasher
  readonly #pending = new Set<Promise<void>>()
  /** Bytes of pieces received that were verified already (endgame duplicates). */
  duplicateBytes = 0
  /** Bytes verified and written, per provider. */
  readonly bytesByProvider: Record<string, number> = {}

  constructor (init: PieceWritesInit<S>) {
    this.#init = init
    this.#hasher = init.offload == null ? new PieceHasher(init.manifest) : new PieceHasher(init.manifest, init.offload)
  }

  /** Writes in progress. */
  get pending (): number {
    return this.#pending.size
  }

  /**
   * Verifies and writes piece `index` from `from` in the background; resolves once fewer
   * than {@link MAX_PENDING_WRITES} writes are pending (the caller then reads the next piece).
   */
  async add (from: S, index: number, data: Iterable<Uint8Array> & { byteLength: number }): Promise<void> {
    if (this.#init.picker.done(index) || this.#init.finished()) {
      this.duplicateBytes += data.byteLength // an endgame duplicate
      return
    }
    const job: Promise<void> = this.#store(from, index, data).finally(() => {
      this.#pending.delete(job)
      if (this.#init.picker.complete && this.#pending.size === 0) this.#init.done()
    })
    this.#pending.add(job)
    if (this.#pending.size >= MAX_PENDING_WRITES) await Promise.race(this.#pending)
  }

  async #store (from: S, index: number, data: Iterable<Uint8Array> & { byteLength: number }): Promise<void> {
    const { picker } = this.#init
    const piece = await this.#hasher.verify(index, data)
    if (this.#init.finished()) {
      if (piece != null) this.#hasher.release(piece)
      return
    }
    if (piece == null) {
      picker.release(index, from.id)
      this.#init.onProgress?.({ type: 'transfer:bad-piece', provider: from.id, index })
      from.abort.abort(new BadPieceError(`Piece ${index} from ${from.id} failed verification`))
      return
    }
    if (picker.done(index)) {
      // another copy was verified while this one was hashed
      this.duplicateBytes += piece.bytes.byteLength
      this.#hasher.release(piece)
      return
    }
    this.#init.verified(from, index, picker.completed(index))
    try {
      await this.#init.writePiece(index, piece.bytes)
    } catch (err) {
      this.#init.failed(err as Error)
      return
    } finally {
      this.#hasher.release(piece)
    }
    this.bytesByProvider[from.id] = (this.bytesByProvider[from.id] ?? 0) + piece.bytes.byteLength
    this.#init.onProgress?.({ type: 'transfer:piece-verified', provider: from.id, index, bytes: piece.bytes.byteLength })
  }
}

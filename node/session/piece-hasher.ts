import { timingSafeEqual } from 'node:crypto'
import { HASH_LENGTH, pieceCountOf, pieceLength } from '../manifest/index.js'
import type { Manifest } from '../manifest/index.js'

/** Piece buffers kept for reuse, at most. */
const POOL_LIMIT = 8

/** A verified piece, contiguous, in a buffer to give back with {@link PieceHasher.release} once written. */
export interface VerifiedPiece {
  bytes: Uint8Array
  /** The pooled buffer `bytes` lies in (undefined when the piece arrived in one chunk). */
  pooled?: Uint8Array
}

/**
 * Verifies pieces against a manifest off the event loop: the SHA-256 runs in libuv's
 * thread pool (WebCrypto's digest), so a second core hashes while this one reads the next
 * piece. A piece that arrived in several chunks is gathered into a pooled piece-sized
 * buffer (no allocation per piece), which the caller hands back once the piece is written.
 */
export class PieceHasher {
  readonly #manifest: Manifest
  readonly #pool: Uint8Array[] = []

  constructor (manifest: Manifest) {
    this.#manifest = manifest
  }

  /** The piece as one buffer when its hash matches, else undefined (the pooled buffer is released). */
  async verify (index: number, data: Iterable<Uint8Array> & { byteLength: number }): Promise<VerifiedPiece | undefined> {
    const manifest = this.#manifest
    if (index < 0 || index >= pieceCountOf(manifest) || data.byteLength !== pieceLength(manifest, index)) return undefined
    const piece = this.#gather(data)
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', piece.bytes))
    const expected = manifest.pieceHashes.subarray(index * HASH_LENGTH, (index + 1) * HASH_LENGTH)
    if (digest.byteLength === expected.byteLength && timingSafeEqual(digest, expected)) return piece
    this.release(piece)
    return undefined
  }

  #gather (data: Iterable<Uint8Array> & { byteLength: number }): VerifiedPiece {
    let only: Uint8Array | undefined
    let count = 0
    for (const chunk of data) { only = chunk; if (++count > 1) break }
    if (count === 1 && only != null) return { bytes: only }
    const pooled = this.#pool.pop() ?? new Uint8Array(this.#manifest.pieceSize)
    let at = 0
    for (const chunk of data) { pooled.set(chunk, at); at += chunk.byteLength }
    return { bytes: pooled.subarray(0, at), pooled }
  }

  /** Gives a piece's buffer back for reuse: nothing may reference its bytes any more. */
  release (piece: VerifiedPiece): void {
    if (piece.pooled != null && this.#pool.length < POOL_LIMIT) this.#pool.push(piece.pooled)
  }
}

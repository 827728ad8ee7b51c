import { createHash, timingSafeEqual } from 'node:crypto'
import { availableParallelism, loadavg } from 'node:os'
import { HASH_LENGTH, pieceCountOf, pieceLength } from '../manifest/index.js'
import type { Manifest } from '../manifest/index.js'

/** Piece buffers kept for reuse, at most. */
const POOL_LIMIT = 8

/** Piece data: one buffer, or the chunks it arrived in. */
export type PieceData = Uint8Array | (Iterable<Uint8Array> & { byteLength: number })

/** A verified piece, to give back with {@link PieceHasher.release} once written. */
export interface VerifiedPiece {
  bytes: PieceData
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
  readonly #offload: boolean

  /** `offload`: hash in the thread pool. @default {@link secondCoreFree}() */
  constructor (manifest: Manifest, offload = secondCoreFree()) {
    this.#manifest = manifest
    this.#offload = offload
  }

  /** The piece as one buffer when its hash matches, else undefined (the pooled buffer is released). */
  async verify (index: number, data: Iterable<Uint8Array> & { byteLength: number }): Promise<VerifiedPiece | undefined> {
    const manifest = this.#manifest
    if (index < 0 || index >= pieceCountOf(manifest) || data.byteLength !== pieceLength(manifest, index)) return undefined
    const expected = manifest.pieceHashes.subarray(index * HASH_LENGTH, (index + 1) * HASH_LENGTH)
    if (!this.#offload) {
      // one core: hashing on the loop over the chunks as they are costs the least
      const hash = createHash('sha256')
      for (const chunk of data) hash.update(chunk)
      return timingSafeEqual(hash.digest(), expected) ? { bytes: data } : undefined
    }
    const piece = this.#gather(data)
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', piece.bytes as Uint8Array))
    if (timingSafeEqual(digest, expected)) return piece
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

/**
 * True when another core is likely idle: more than one core, and the load average leaves
 * one free. On a saturated machine, handing hashes to the thread pool only adds copies and
 * competes with file writes there (measured: a 256 MiB get took longer), so they stay on
 * the loop.
 */
export function secondCoreFree (): boolean {
  const cores = availableParallelism()
  return cores > 1 && loadavg()[0] <= cores - 1
}

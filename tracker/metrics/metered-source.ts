import { Bitfield } from '../../node/index.js'
import type { PieceSource, ServableFile } from '../../node/index.js'

/** A library source that counts the pieces it hashed while serving (LibrarySource does). */
interface CountingSource extends PieceSource {
  readonly hashedOnServe?: number
}

/**
 * Wraps the tracker's library source to count piece checks: the library hashes a piece
 * against its manifest before serving it unless the file is known to be the very version it
 * hashed, and answers "not here" for a piece that does not match. `failed` counts reads of a
 * piece that was available before and answered "not here"; `verified` counts the pieces the
 * library hashed and found good (its own `hashedOnServe` counter when it has one, else the
 * first successful read of each piece of a cid). `forget(cid)` follows the library when a
 * file leaves the catalogue.
 */
export class MeteredSource implements PieceSource {
  readonly #inner: CountingSource
  /** cid -> pieces read successfully in this process (when the library does not count). */
  readonly #seen = new Map<string, Bitfield>()
  #firstReads = 0
  #failed = 0

  constructor (inner: CountingSource) {
    this.#inner = inner
  }

  /** Pieces checked against their hash and found good, since start. */
  get verified (): number {
    const hashed = this.#inner.hashedOnServe
    return typeof hashed === 'number' ? Math.max(0, hashed - this.#failed) : this.#firstReads
  }

  /** Pieces that did not match their hash (not served), since start. */
  get failed (): number {
    return this.#failed
  }

  /** A file left the catalogue: its pieces are checked again if it comes back. */
  forget (cid: string): void {
    this.#seen.delete(cid)
  }

  async lookup (cid: string): Promise<ServableFile | undefined> {
    const file = await this.#inner.lookup(cid)
    if (file == null) return undefined
    let seen = this.#seen.get(cid)
    if (seen == null || seen.size !== file.pieceCount) {
      seen = new Bitfield(file.pieceCount)
      this.#seen.set(cid, seen)
    }
    const checked = seen
    const readPiece = async (index: number, into?: Uint8Array): Promise<Uint8Array | undefined> => {
      const available = file.bitfield.has(index)
      const data = await file.readPiece(index, into)
      if (data == null) {
        if (available) this.#failed++
      } else if (!checked.has(index)) {
        checked.set(index)
        this.#firstReads++
      }
      return data
    }
    // the other members keep their receiver (`this` is the library's file)
    return Object.assign(Object.create(file) as ServableFile, { readPiece })
  }
}

import { Bitfield } from '../../node/index.js'
import type { PieceSource, ServableFile } from '../../node/index.js'

/**
 * Wraps the tracker's library source to count piece checks: the library hashes each piece
 * against its manifest on its first serve in this process and answers "not here" for one that
 * does not match. Here a piece counts as verified on its first successful read of a cid, and
 * as failed when it was available before the read and the read answered "not here".
 * `forget(cid)` follows the library when a file leaves the catalogue.
 */
export class MeteredSource implements PieceSource {
  readonly #inner: PieceSource
  readonly #onCheck: (ok: boolean) => void
  /** cid -> pieces read successfully (verified by the library) in this process. */
  readonly #seen = new Map<string, Bitfield>()

  constructor (inner: PieceSource, onCheck: (ok: boolean) => void) {
    this.#inner = inner
    this.#onCheck = onCheck
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
    const readPiece = async (index: number): Promise<Uint8Array | undefined> => {
      const available = file.bitfield.has(index)
      const data = await file.readPiece(index)
      if (data == null) {
        if (available) this.#onCheck(false)
      } else if (!checked.has(index)) {
        checked.set(index)
        this.#onCheck(true)
      }
      return data
    }
    // the other members keep their receiver (`this` is the library's file)
    return Object.assign(Object.create(file) as ServableFile, { readPiece })
  }
}

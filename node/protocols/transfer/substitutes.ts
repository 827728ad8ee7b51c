import { ProtocolError } from '../../errors.js'
import type { ServableFile } from './piece-source.js'

/**
 * The pieces a downloader offered the tracker to take instead of those it wants
 * (super-seeding): when the least-served wanted piece was sent to someone already, so the
 * downloader can get it from a peer, a less-served offered piece (best: one never sent) goes
 * out instead. Bounded by the request's limit (256); a want batch replaces the offer, a CANCEL
 * withdraws a piece from it. Only a file that counts its hand-outs (the tracker's library)
 * substitutes; elsewhere the offer is ignored.
 */
export class Substitutes {
  readonly #file: ServableFile
  #offered: number[] = []

  constructor (file: ServableFile) {
    this.#file = file
  }

  /** The alternatives of a request that carries wants (out-of-range indexes are malformed input). */
  offer (pieces: number[]): void {
    if (this.#file.timesServed == null) return
    for (const index of pieces) {
      if (index >= this.#file.pieceCount) throw new ProtocolError(`Piece ${index} does not exist`)
    }
    this.#offered = pieces.slice()
  }

  withdraw (index: number): void {
    const at = this.#offered.indexOf(index)
    if (at >= 0) this.#offered.splice(at, 1)
  }

  /**
   * A piece to send instead of `wanted` (and takes it out of the offer), or undefined: only
   * when `wanted` was handed out before and an offered piece held here was handed out fewer
   * times (the least-served; ties in the order offered).
   */
  instead (wanted: number): number | undefined {
    const file = this.#file
    if (this.#offered.length === 0 || file.timesServed == null) return undefined
    let best = file.timesServed(wanted)
    let at = -1
    for (let i = 0; i < this.#offered.length && best > 0; i++) {
      const index = this.#offered[i]
      if (!file.bitfield.has(index)) continue
      const n = file.timesServed(index)
      if (n < best) {
        best = n
        at = i
      }
    }
    return at < 0 ? undefined : this.#offered.splice(at, 1)[0]
  }
}

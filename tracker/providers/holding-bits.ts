import { Bitfield } from '../../node/index.js'

/** What an announcement says a peer holds. */
export interface AnnouncedHolding {
  complete: boolean
  ranges: Array<{ start: number, end: number }>
  bitfield: Uint8Array
}

/**
 * The bitfield an announcement describes, clamped to the file's `pieceCount`: the exact
 * `bitfield` when present (bits past the end dropped), else everything when `complete`, else
 * the union of `ranges` (out-of-range parts clipped; overlapping and duplicate ranges cost
 * nothing extra: the work is bounded by the piece count plus sorting the ranges).
 */
export function holdingBits (announced: AnnouncedHolding, pieceCount: number): Bitfield {
  if (announced.bitfield.byteLength > 0) return new Bitfield(pieceCount, announced.bitfield)
  if (announced.complete) return Bitfield.full(pieceCount)
  const bits = new Bitfield(pieceCount)
  const ranges = announced.ranges
    .map(r => ({ start: Math.max(0, r.start), end: Math.min(pieceCount, r.end) }))
    .filter(r => r.start < r.end)
    .sort((a, b) => a.start - b.start)
  let done = 0
  for (const r of ranges) {
    for (let i = Math.max(done, r.start); i < r.end; i++) bits.set(i)
    done = Math.max(done, r.end)
  }
  return bits
}

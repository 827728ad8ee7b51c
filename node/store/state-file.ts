import { Bitfield } from './bitfield.js'

/** Marks the start of the "recent" trailer in a bitfield file. */
const RECENT_MAGIC = Uint8Array.from([0x4d, 0x53, 0x52, 0x31]) // "MSR1"

/** What a stored file's `bitfield` file says. */
export interface StoredState {
  /** The pieces stored and verified (most significant bit first). */
  bits?: Uint8Array
  /**
   * The pieces the last persist added, present when the process that wrote it did not close
   * the file cleanly: they are re-verified on open.
   */
  recent?: Bitfield
}

/**
 * Encodes the bitfield file: the bitfield bytes, then (until the file is closed cleanly) a
 * trailer with the pieces this persist added. The bitfield comes first, so a reader that
 * knows nothing of the trailer still reads the right bits.
 */
export function encodeState (bits: Uint8Array, recent?: Bitfield): Uint8Array {
  if (recent == null || recent.count === 0) return bits
  const out = new Uint8Array(bits.byteLength + RECENT_MAGIC.byteLength + recent.bytes.byteLength)
  out.set(bits, 0)
  out.set(RECENT_MAGIC, bits.byteLength)
  out.set(recent.bytes, bits.byteLength + RECENT_MAGIC.byteLength)
  return out
}

/** Decodes a bitfield file of a file with `pieceCount` pieces. */
export function decodeState (bytes: Uint8Array | undefined, pieceCount: number): StoredState {
  if (bytes == null) return {}
  const n = Math.ceil(pieceCount / 8)
  const bits = bytes.subarray(0, n)
  const magic = bytes.subarray(n, n + RECENT_MAGIC.byteLength)
  if (bytes.byteLength === 2 * n + RECENT_MAGIC.byteLength && Buffer.from(magic).equals(RECENT_MAGIC)) {
    return { bits, recent: new Bitfield(pieceCount, bytes.subarray(n + RECENT_MAGIC.byteLength)) }
  }
  return { bits }
}

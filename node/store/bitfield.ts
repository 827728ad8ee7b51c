/**
 * One bit per piece, most significant bit first (as on the wire).
 */
export class Bitfield {
  readonly size: number
  readonly bytes: Uint8Array<ArrayBuffer>
  #count = 0

  constructor (size: number, bytes?: Uint8Array) {
    this.size = size
    this.bytes = new Uint8Array(Math.ceil(size / 8))
    if (bytes != null) {
      this.bytes.set(bytes.subarray(0, this.bytes.byteLength))
      // bits past the end must not count
      if (size % 8 !== 0 && this.bytes.byteLength > 0) {
        this.bytes[this.bytes.byteLength - 1] &= 0xff << (8 - (size % 8))
      }
      for (let i = 0; i < size; i++) if (this.has(i)) this.#count++
    }
  }

  /** A bitfield with every piece set. */
  static full (size: number): Bitfield {
    const b = new Bitfield(size)
    for (let i = 0; i < size; i++) b.set(i)
    return b
  }

  has (index: number): boolean {
    if (index < 0 || index >= this.size) return false
    return (this.bytes[index >> 3] & (0x80 >> (index & 7))) !== 0
  }

  /** Sets a bit; returns true when it was not set before. */
  set (index: number): boolean {
    if (index < 0 || index >= this.size || this.has(index)) return false
    this.bytes[index >> 3] |= 0x80 >> (index & 7)
    this.#count++
    return true
  }

  /** Clears a bit; returns true when it was set. */
  unset (index: number): boolean {
    if (!this.has(index)) return false
    this.bytes[index >> 3] &= ~(0x80 >> (index & 7))
    this.#count--
    return true
  }

  /** Pieces set. */
  get count (): number {
    return this.#count
  }

  get complete (): boolean {
    return this.#count === this.size
  }

  /** The set bits, in order. */
  indexes (): number[] {
    const out: number[] = []
    for (let i = 0; i < this.size; i++) if (this.has(i)) out.push(i)
    return out
  }

  /** Runs of set bits as [start, end) ranges. */
  ranges (): Array<{ start: number, end: number }> {
    const out: Array<{ start: number, end: number }> = []
    let start = -1
    for (let i = 0; i <= this.size; i++) {
      const set = i < this.size && this.has(i)
      if (set && start < 0) start = i
      if (!set && start >= 0) { out.push({ start, end: i }); start = -1 }
    }
    return out
  }
}

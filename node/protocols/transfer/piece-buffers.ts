/**
 * Read buffers of one serving stream, reused once the transport below has let go of them.
 *
 * A fresh 256 KiB buffer per piece costs the sender more than the bytes: every 16-32 MB of
 * them V8 scavenges for "external memory pressure" and then starts a full mark-compact (about
 * 50 per GiB served, the tracker's heap at 16 MB), the biggest item of the tracker's profile
 * after encryption. Reuse is only safe once nothing below the stream still holds the bytes:
 * `released()` (see {@link writeReleaseProbe}) says when everything written so far has been
 * consumed; without a probe every piece gets a fresh buffer, as before.
 *
 * A stream keeps at most `max` pooled buffers: the piece being sent, the one read ahead, and
 * one handed over and not yet released. When none is free a fresh one is used (and left to
 * the garbage collector), so a downloader that stops reading costs no more than it did.
 */
export class PieceBuffers {
  readonly #size: number
  readonly #released: () => boolean
  readonly #max: number
  /** Each pooled buffer by its memory (what was handed over may be a shorter view of it). */
  readonly #pooled = new Map<ArrayBufferLike, Uint8Array>()
  readonly #free: Uint8Array[] = []
  /** Written to the stream; reused once `released()` is true. */
  readonly #handedOver: Uint8Array[] = []

  constructor (size: number, released: () => boolean, max = 3) {
    this.#size = size
    this.#released = released
    this.#max = max
  }

  /** Pooled buffers in use or free (for tests). */
  get pooled (): number {
    return this.#pooled.size
  }

  /** A buffer of `size` bytes to read a piece into: a released pooled one when there is one. */
  take (): Uint8Array {
    if (this.#handedOver.length > 0 && this.#released()) {
      this.#free.push(...this.#handedOver)
      this.#handedOver.length = 0
    }
    const free = this.#free.pop()
    if (free != null) return free
    const buf = Buffer.allocUnsafeSlow(this.#size)
    if (this.#pooled.size < this.#max) this.#pooled.set(buf.buffer, buf)
    return buf
  }

  /** `data` (a view of a taken buffer, or any other bytes) was written to the stream. */
  handedOver (data: Uint8Array): void {
    const buf = this.#pooled.get(data.buffer)
    if (buf != null) this.#handedOver.push(buf)
  }

  /** A taken buffer (or a view of it) whose bytes never reached the stream, and that nothing writes into any more. */
  giveBack (data: Uint8Array): void {
    const buf = this.#pooled.get(data.buffer)
    if (buf != null) this.#free.push(buf)
  }

  /** `buf` may still be written into (a read in flight that nobody waits for): never reused. */
  abandon (buf: Uint8Array): void {
    this.#pooled.delete(buf.buffer)
  }
}

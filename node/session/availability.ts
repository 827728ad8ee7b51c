import { Bitfield } from '../store/index.js'

/**
 * The one availability model of a download: each provider's bitfield and, per piece, how
 * many counted providers hold it. Bitfields, HAVEs, "not here" answers, drops and bans all
 * go through it, so a count never includes a provider that already contradicted it.
 * Uncounted providers (the tracker, the fallback) keep a bitfield but add nothing to the
 * counts: the counts say how many peers of the swarm hold a piece.
 */
export class Availability {
  readonly size: number
  readonly #counts: Uint16Array
  readonly #bits = new Map<string, { bits: Bitfield, counted: boolean }>()

  constructor (size: number) {
    this.size = size
    this.#counts = new Uint16Array(size)
  }

  /** Sets (or replaces) what `provider` holds. */
  add (provider: string, bits: Bitfield, counted = true): void {
    this.remove(provider)
    const own = new Bitfield(this.size, bits.bytes)
    this.#bits.set(provider, { bits: own, counted })
    if (!counted) return
    for (let i = 0; i < this.size; i++) if (own.has(i)) this.#counts[i]++
  }

  /** `provider` announced a piece; returns true when it is news. */
  have (provider: string, index: number): boolean {
    const entry = this.#bits.get(provider)
    if (entry == null || !entry.bits.set(index)) return false
    if (entry.counted) this.#counts[index]++
    return true
  }

  /** `provider` answered "not here" for a piece; returns true when it had claimed to hold it. */
  notHere (provider: string, index: number): boolean {
    const entry = this.#bits.get(provider)
    if (entry == null || !entry.bits.unset(index)) return false
    if (entry.counted && this.#counts[index] > 0) this.#counts[index]--
    return true
  }

  /** `provider` is gone (dropped or banned): nothing it claimed counts any more. */
  remove (provider: string): void {
    const entry = this.#bits.get(provider)
    if (entry == null) return
    this.#bits.delete(provider)
    if (!entry.counted) return
    for (let i = 0; i < this.size; i++) if (entry.bits.has(i) && this.#counts[i] > 0) this.#counts[i]--
  }

  /** True when `provider` is known to hold piece `index`. */
  has (provider: string, index: number): boolean {
    return this.#bits.get(provider)?.bits.has(index) ?? false
  }

  /** What `provider` holds, as far as it told us. */
  bitsOf (provider: string): Bitfield | undefined {
    return this.#bits.get(provider)?.bits
  }

  /** Counted providers holding piece `index`. */
  count (index: number): number {
    return this.#counts[index] ?? 0
  }
}

import { Bitfield } from '../store/index.js'

/**
 * Chooses which pieces to ask a provider for: pieces the caller marked urgent first (in
 * their order), then rarest-first among the pieces the provider has, random among equals;
 * once every missing piece is in flight, an endgame hands out in-flight pieces again to
 * other providers.
 */
export class PiecePicker {
  /** Pieces verified (possibly still being written). */
  readonly #have: Bitfield
  readonly #availability: Uint16Array
  /** Missing pieces in a random order, so equal-rarity picks are random but cheap. */
  #order: number[]
  /** Piece -> providers it is requested from. */
  readonly #inflight = new Map<number, Set<string>>()
  #urgent: number[] = []

  constructor (have: Bitfield, random: () => number = Math.random) {
    this.#have = new Bitfield(have.size, have.bytes)
    this.#availability = new Uint16Array(have.size)
    const order: number[] = []
    for (let i = 0; i < have.size; i++) if (!have.has(i)) order.push(i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      const t = order[i]; order[i] = order[j]; order[j] = t
    }
    this.#order = order
  }

  get complete (): boolean { return this.#have.complete }

  /** Pieces still missing. */
  get missing (): number { return this.#have.size - this.#have.count }

  addBitfield (bits: Bitfield): void {
    for (let i = 0; i < bits.size; i++) if (bits.has(i)) this.#availability[i]++
  }

  removeBitfield (bits: Bitfield): void {
    for (let i = 0; i < bits.size; i++) if (bits.has(i) && this.#availability[i] > 0) this.#availability[i]--
  }

  addHave (index: number): void {
    if (index < this.#availability.length) this.#availability[index]++
  }

  /** Pieces to fetch before anything else, most urgent first (e.g. just ahead of a player). */
  setUrgent (pieces: number[]): void {
    this.#urgent = pieces.filter(i => i >= 0 && i < this.#have.size)
  }

  /** Providers a piece is currently requested from. */
  requestedFrom (index: number): ReadonlySet<string> {
    return this.#inflight.get(index) ?? new Set()
  }

  /**
   * Picks up to `max` pieces `bits` has, and marks them requested from `provider`. With
   * `fallback`, only pieces no other connected provider has are picked (until the endgame):
   * the tracker serves what the swarm cannot.
   */
  pick (provider: string, bits: Bitfield, max: number, fallback = false): number[] {
    const out: number[] = []
    const take = (i: number): void => {
      let set = this.#inflight.get(i)
      if (set == null) { set = new Set(); this.#inflight.set(i, set) }
      set.add(provider)
      out.push(i)
    }
    for (const i of this.#urgent) {
      if (out.length >= max) return out
      if (!this.#have.has(i) && bits.has(i) && !this.#inflight.has(i)) take(i)
    }
    this.#order = this.#order.filter(i => !this.#have.has(i))
    const eligible = (i: number): boolean => bits.has(i) && !this.#inflight.has(i) && (!fallback || this.#availability[i] <= 1)
    while (out.length < max) {
      let best = Infinity
      for (const i of this.#order) {
        if (eligible(i) && this.#availability[i] < best) best = this.#availability[i]
      }
      if (best === Infinity) break
      for (const i of this.#order) {
        if (out.length >= max) break
        if (eligible(i) && this.#availability[i] === best) take(i)
      }
    }
    if (out.length === 0 && fallback) {
      // nothing only the fallback has; help only once everything left is in flight
      for (const i of this.#order) if (!this.#inflight.has(i)) return out
    }
    if (out.length === 0) {
      // endgame: everything missing is in flight; ask this provider too
      for (const i of this.#order) {
        if (out.length >= max) break
        const from = this.#inflight.get(i)
        if (from != null && !from.has(provider) && bits.has(i)) take(i)
      }
    }
    return out
  }

  /** The request of `index` from `provider` ended without the piece. */
  release (index: number, provider: string): void {
    const set = this.#inflight.get(index)
    if (set == null) return
    set.delete(provider)
    if (set.size === 0) this.#inflight.delete(index)
  }

  /** True when `index` was verified already. */
  done (index: number): boolean {
    return this.#have.has(index)
  }

  /** A piece was verified; returns the providers it was requested from. */
  completed (index: number): string[] {
    this.#have.set(index)
    const others = [...(this.#inflight.get(index) ?? [])]
    this.#inflight.delete(index)
    return others
  }
}

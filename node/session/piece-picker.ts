import { Bitfield } from '../store/index.js'
import type { Availability } from './availability.js'

/** In the endgame, a piece is asked of this many providers at most. */
export const ENDGAME_REQUESTERS = 2

/** How the picker treats the provider it picks for. */
export interface PickOptions {
  /**
   * The provider of last resort (the tracker): it takes only pieces that no healthy peer
   * holds, and in-flight pieces only in the endgame.
   */
  fallback?: boolean
  /** Providers whose claims do not count for the fallback rule (they stalled). */
  weak?: ReadonlySet<string>
  /**
   * Rarest-first picks only pieces for which this says true (the fallback's share, see
   * TrackerShares); urgent pieces and the endgame ignore it. @default every piece
   */
  owned?: (index: number) => boolean
  /** In the endgame, in-flight pieces are asked again only while at most this many are missing. @default no limit */
  endgameMissing?: number
}

/**
 * Chooses which pieces to ask a provider for: pieces the caller marked urgent first (in
 * their order), then rarest-first among the pieces the provider has, random among equals,
 * with the counts of the session's {@link Availability}; once every missing piece is in
 * flight (the endgame, and only then), in-flight pieces are handed out again to other
 * providers.
 */
export class PiecePicker {
  /** Pieces verified (possibly still being written). */
  readonly #have: Bitfield
  readonly #availability: Availability
  /** Missing pieces in a random order, so equal-rarity picks are random but cheap. */
  #order: number[]
  /** Piece -> providers it is requested from. */
  readonly #inflight = new Map<number, Set<string>>()
  #urgent: number[] = []

  constructor (have: Bitfield, availability: Availability, random: () => number = Math.random) {
    this.#have = new Bitfield(have.size, have.bytes)
    this.#availability = availability
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

  /** True when every missing piece is requested from someone: the endgame. */
  get endgame (): boolean {
    this.#prune()
    for (const i of this.#order) if (!this.#inflight.has(i)) return false
    return true
  }

  /** Pieces to fetch before anything else, most urgent first (e.g. just ahead of a player). */
  setUrgent (pieces: number[]): void {
    this.#urgent = pieces.filter(i => i >= 0 && i < this.#have.size)
  }

  /** A reader waits on a missing piece (a player): then providers must send exactly what is asked. */
  get urgent (): boolean {
    return this.#urgent.some(i => !this.#have.has(i))
  }

  /** Those of `pieces` a reader waits on (urgent and missing), most urgent first. */
  urgentAmong (pieces: readonly number[]): number[] {
    return this.#urgent.filter(i => !this.#have.has(i) && pieces.includes(i))
  }

  /** Providers a piece is currently requested from. */
  requestedFrom (index: number): ReadonlySet<string> {
    return this.#inflight.get(index) ?? new Set()
  }

  #prune (): void {
    if (this.#order.length > 0 && this.#order.length !== this.missing) this.#order = this.#order.filter(i => !this.#have.has(i))
  }

  /** Healthy peers holding `index`: the counted holders, less those in `weak`. */
  #healthy (index: number, weak?: ReadonlySet<string>): number {
    let n = this.#availability.count(index)
    if (weak != null) for (const w of weak) if (this.#availability.has(w, index)) n--
    return n
  }

  /** Picks up to `max` pieces `provider` holds, and marks them requested from it. */
  pick (provider: string, max: number, options: PickOptions = {}): number[] {
    const bits = this.#availability.bitsOf(provider)
    const out: number[] = []
    if (bits == null || max <= 0) return out
    const take = (i: number): void => {
      let set = this.#inflight.get(i)
      if (set == null) { set = new Set(); this.#inflight.set(i, set) }
      set.add(provider)
      out.push(i)
    }
    const eligible = (i: number): boolean => bits.has(i) && !this.#inflight.has(i) && !this.#have.has(i) &&
      (options.fallback !== true || this.#healthy(i, options.weak) <= 0)
    for (const i of this.#urgent) {
      if (out.length >= max) return out
      if (eligible(i)) take(i)
    }
    this.#prune()
    const owned = options.owned
    // one pass over the missing pieces collects those wanted (usually few: a provider's
    // pieces that are neither held nor in flight), then rarest first among them, in the
    // random order of #order
    const wanted: number[] = []
    for (const i of this.#order) if (eligible(i) && (owned == null || owned(i))) wanted.push(i)
    const availability = this.#availability
    while (out.length < max && wanted.length > 0) {
      let best = Infinity
      for (const i of wanted) best = Math.min(best, availability.count(i))
      let kept = 0
      for (const i of wanted) {
        if (out.length < max && availability.count(i) === best) take(i)
        else wanted[kept++] = i
      }
      wanted.length = kept
    }
    if (out.length === 0 && (options.endgameMissing == null || this.missing <= options.endgameMissing) && this.endgame) {
      // endgame: everything missing is in flight; ask this provider too
      for (const i of this.#order) {
        if (out.length >= max) break
        const from = this.#inflight.get(i)
        if (from != null && from.size < ENDGAME_REQUESTERS && !from.has(provider) && bits.has(i)) take(i)
      }
    }
    return out
  }

  /**
   * Up to `max` missing pieces `provider` holds that are requested from nobody and that no
   * healthy peer holds (those it would ask the fallback for later), those for which `first`
   * says true first; marks nothing. The alternatives offered to the tracker (super-seeding).
   */
  unclaimed (provider: string, max: number, weak: ReadonlySet<string>, first: (index: number) => boolean): number[] {
    const bits = this.#availability.bitsOf(provider)
    if (bits == null || max <= 0) return []
    this.#prune()
    const preferred: number[] = []
    const others: number[] = []
    for (const i of this.#order) {
      if (preferred.length >= max) break
      if (!bits.has(i) || this.#inflight.has(i) || this.#have.has(i) || this.#healthy(i, weak) > 0) continue
      if (first(i)) preferred.push(i)
      else if (others.length < max) others.push(i)
    }
    return preferred.concat(others).slice(0, max)
  }

  /** `provider` is sending `index` unasked (a substitute it was offered): in flight from it. */
  claim (index: number, provider: string): void {
    let set = this.#inflight.get(index)
    if (set == null) { set = new Set(); this.#inflight.set(index, set) }
    set.add(provider)
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

/**
 * Which co-downloader asks the tracker for which piece. Every downloader of a swarm computes
 * the same split from the same member list (itself and the co-downloaders it knows), so the
 * tracker is asked for each piece by one downloader only and uploads about one copy; the
 * others get the piece from that downloader. Rendezvous hashing: a piece belongs to the
 * member with the highest score for it, so a member joining or leaving moves only its own
 * share of the pieces, and downloaders that know slightly different member lists still agree
 * on most pieces.
 */
export class TrackerShares {
  readonly #self: string
  readonly #size: number
  #members: string[] = []
  /** Piece -> index in #members of its owner; recomputed when the members change. */
  #owners?: Uint16Array

  constructor (self: string, pieceCount: number) {
    this.#self = self
    this.#size = pieceCount
  }

  /** Sets the co-downloaders (self is always a member); returns true when the split changed. */
  setMembers (others: Iterable<string>): boolean {
    const members = [...new Set([this.#self, ...others])].sort()
    if (members.length === this.#members.length && members.every((m, i) => m === this.#members[i])) return false
    this.#members = members
    this.#owners = undefined
    return true
  }

  /** How many members share the pieces. */
  get size (): number {
    return Math.max(1, this.#members.length)
  }

  /** True when `index` is this downloader's to fetch from the tracker. */
  isMine (index: number): boolean {
    return this.ownerOf(index) === this.#self
  }

  /** The member that fetches `index` from the tracker. */
  ownerOf (index: number): string {
    if (this.#members.length <= 1) return this.#self
    this.#owners ??= this.#split()
    return this.#members[this.#owners[index]] ?? this.#self
  }

  #split (): Uint16Array {
    const seeds = this.#members.map(hashString)
    const owners = new Uint16Array(this.#size)
    for (let i = 0; i < this.#size; i++) {
      let best = -1
      for (let m = 0; m < seeds.length; m++) {
        const score = mix(seeds[m] ^ Math.imul(i + 1, 0x9e3779b1))
        if (score > best) { best = score; owners[i] = m }
      }
    }
    return owners
  }
}

/** FNV-1a over a string's UTF-16 code units. */
function hashString (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A 32-bit finaliser (murmur3's): every input bit moves every output bit. */
function mix (x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  x ^= x >>> 16
  return x >>> 0
}

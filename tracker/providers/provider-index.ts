import type { Bitfield } from '../../node/index.js'

/** What one peer holds of one file. */
export interface Holding {
  /** The pieces held (exact, clamped to the file's piece count). */
  bits: Bitfield
  complete: boolean
  updatedAt: number
}

/** Options of a {@link ProviderIndex}. */
export interface ProviderIndexInit {
  /**
   * Distinct reporters (each granted a ticket for the file it reports about) after which a
   * peer is left out of everyone's tickets for `reportTtlMs`.
   *
   * @default 3
   */
  reportQuorum?: number
  /**
   * How long a report counts, how long a reported peer stays out of its reporter's tickets,
   * and how long a peer reported by a quorum stays out of everyone's.
   *
   * @default 600000 (10 minutes)
   */
  reportTtlMs?: number
  /**
   * (peer, cid) grant records kept; the oldest are forgotten first.
   *
   * @default 100000
   */
  maxGrantRecords?: number
  /** @default Date.now */
  now?: () => number
}

/** Providers one reporter may have excluded at once (the oldest report is dropped first). */
const MAX_REPORTS_PER_REPORTER = 64

/** What a report did; see {@link ProviderIndex.report}. */
export type ReportOutcome = 'ignored' | 'excluded' | 'banned'

/**
 * Which peers hold which files, and which of them tickets may name.
 *
 * Only real holders are named: a peer's holdings of a cid are recorded only after the tracker
 * granted it a ticket for that cid (it could have fetched the file; see {@link granted}), so
 * announcing costs a turn in the queue. Per (peer, file) one bitfield is kept, so memory is
 * bounded by peers x files x pieces / 8 whatever the announcements say.
 *
 * Reports (what a downloader says of a provider that lied, stalled or sent a bad piece) follow
 * a policy that one lying reporter cannot use to smear an honest seeder:
 * - a report counts only from a peer that was granted a ticket for that cid (it was in a
 *   position to see the provider misbehave), and never about itself;
 * - the reported peer leaves the reporter's own tickets at once (for `reportTtlMs`): the
 *   reporter no longer depends on a provider it distrusts, whoever is right;
 * - it leaves everyone's tickets only once `reportQuorum` distinct reporters reported it
 *   within `reportTtlMs`, and for `reportTtlMs`; then it may be named again.
 * A smear therefore needs `reportQuorum` identities that each waited for a grant of that
 * file, which the per-peer and per-address queue limits make slow and visible.
 */
export class ProviderIndex {
  readonly #byCid = new Map<string, Map<string, Holding>>()
  readonly #byPeer = new Map<string, Set<string>>()
  /** `${cid} ${peer}` of grants, oldest first. */
  readonly #grants = new Set<string>()
  /** provider -> reporter -> time of the report. */
  readonly #reports = new Map<string, Map<string, number>>()
  /** reporter -> provider -> time of the report. */
  readonly #excludedBy = new Map<string, Map<string, number>>()
  /** provider -> until when it is left out of every ticket. */
  readonly #banned = new Map<string, number>()
  readonly #quorum: number
  readonly #ttlMs: number
  readonly #maxGrants: number
  readonly #now: () => number

  constructor (init: ProviderIndexInit = {}) {
    this.#quorum = init.reportQuorum ?? 3
    this.#ttlMs = init.reportTtlMs ?? 600_000
    this.#maxGrants = init.maxGrantRecords ?? 100_000
    this.#now = init.now ?? Date.now
  }

  /** `peer` was granted a ticket for `cid`: from now on its holdings of `cid` count. */
  granted (peer: string, cid: string): void {
    const key = `${cid} ${peer}`
    this.#grants.delete(key)
    this.#grants.add(key)
    if (this.#grants.size > this.#maxGrants) {
      const oldest = this.#grants.values().next().value
      if (oldest != null) this.#grants.delete(oldest)
    }
  }

  /** Whether `peer` was ever granted a ticket for `cid` (as far as records reach). */
  wasGranted (peer: string, cid: string): boolean {
    return this.#grants.has(`${cid} ${peer}`)
  }

  /** The grant records, oldest first, to save across a restart. */
  saveGrants (): string[] {
    return [...this.#grants]
  }

  /** Puts back grant records saved before a restart. */
  restoreGrants (saved: unknown): void {
    if (!Array.isArray(saved)) return
    for (const key of saved.slice(-this.#maxGrants)) {
      if (typeof key === 'string' && key.length < 512 && key.includes(' ')) this.#grants.add(key)
    }
  }

  /**
   * Records what `peer` holds of `cid` (an empty bitfield means nothing). Ignored, returning
   * false, unless `peer` was granted a ticket for `cid`.
   */
  have (peer: string, cid: string, bits: Bitfield): boolean {
    if (!this.wasGranted(peer, cid)) return false
    if (bits.count === 0) {
      this.lost(peer, cid)
      return true
    }
    let peers = this.#byCid.get(cid)
    if (peers == null) { peers = new Map(); this.#byCid.set(cid, peers) }
    peers.set(peer, { bits, complete: bits.complete, updatedAt: this.#now() })
    let cids = this.#byPeer.get(peer)
    if (cids == null) { cids = new Set(); this.#byPeer.set(peer, cids) }
    cids.add(cid)
    return true
  }

  /** What `peer` holds of `cid`, if recorded. */
  holding (peer: string, cid: string): Holding | undefined {
    return this.#byCid.get(cid)?.get(peer)
  }

  /** `peer` no longer holds `cid`. */
  lost (peer: string, cid: string): void {
    const peers = this.#byCid.get(cid)
    peers?.delete(peer)
    if (peers?.size === 0) this.#byCid.delete(cid)
    const cids = this.#byPeer.get(peer)
    cids?.delete(cid)
    if (cids?.size === 0) this.#byPeer.delete(peer)
  }

  /** `peer` went away: forget everything it holds (not its grants or reports). */
  removePeer (peer: string): void {
    for (const cid of this.#byPeer.get(peer) ?? []) {
      const peers = this.#byCid.get(cid)
      peers?.delete(peer)
      if (peers?.size === 0) this.#byCid.delete(cid)
    }
    this.#byPeer.delete(peer)
  }

  /**
   * `reporter` says `provider` misbehaved while it fetched `cid`. See the class comment for
   * the policy. Returns what the report did: 'ignored' (the reporter held no grant for
   * `cid`, or reported itself), 'excluded' (left out of the reporter's tickets) or 'banned'
   * (a quorum of reporters: left out of everyone's tickets).
   */
  report (reporter: string, provider: string, cid: string): ReportOutcome {
    if (reporter === provider || provider === '' || !this.wasGranted(reporter, cid)) return 'ignored'
    const now = this.#now()
    let mine = this.#excludedBy.get(reporter)
    if (mine == null) { mine = new Map(); this.#excludedBy.set(reporter, mine) }
    mine.delete(provider)
    mine.set(provider, now)
    if (mine.size > MAX_REPORTS_PER_REPORTER) {
      const [oldest] = mine.keys()
      mine.delete(oldest)
      this.#reports.get(oldest)?.delete(reporter)
    }
    let against = this.#reports.get(provider)
    if (against == null) { against = new Map(); this.#reports.set(provider, against) }
    against.set(reporter, now)
    for (const [who, at] of against) if (now - at > this.#ttlMs) against.delete(who)
    if (against.size >= this.#quorum) {
      this.#banned.set(provider, now + this.#ttlMs)
      this.#reports.delete(provider)
      return 'banned'
    }
    return 'excluded'
  }

  /** Whether tickets for `forPeer` may name `provider` now (no quorum ban, not reported by `forPeer`). */
  mayName (provider: string, forPeer?: string): boolean {
    const now = this.#now()
    const until = this.#banned.get(provider)
    if (until != null) {
      if (until > now) return false
      this.#banned.delete(provider)
    }
    if (forPeer == null) return true
    const mine = this.#excludedBy.get(forPeer)
    const at = mine?.get(provider)
    if (at == null) return true
    if (now - at <= this.#ttlMs) return false
    mine?.delete(provider)
    if (mine?.size === 0) this.#excludedBy.delete(forPeer)
    return true
  }

  /**
   * Holders of `cid` that tickets for `forPeer` may name, complete holders first, at most
   * `limit` (one pass over the holders, no sort).
   */
  providers (cid: string, forPeer?: string, limit = Number.MAX_SAFE_INTEGER): Array<{ peer: string, holding: Holding }> {
    const peers = this.#byCid.get(cid)
    if (peers == null) return []
    const complete: Array<{ peer: string, holding: Holding }> = []
    const partial: Array<{ peer: string, holding: Holding }> = []
    for (const [peer, holding] of peers) {
      if (peer === forPeer || !this.mayName(peer, forPeer)) continue
      if (holding.complete) {
        complete.push({ peer, holding })
        if (complete.length >= limit) break
      } else if (partial.length < limit) {
        partial.push({ peer, holding })
      }
    }
    return [...complete, ...partial].slice(0, limit)
  }

  /** Number of peers known to hold anything. */
  get peers (): number { return this.#byPeer.size }

  /** Files held, per cid: number of holders. */
  counts (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [cid, peers] of this.#byCid) out[cid] = peers.size
    return out
  }

  /** Holders of `cid` (for the operator's view). */
  holders (cid: string): string[] {
    return [...this.#byCid.get(cid)?.keys() ?? []]
  }
}

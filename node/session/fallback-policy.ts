import { ProviderLiedError } from './errors.js'
import { TrackerShares } from './tracker-shares.js'
import type { Availability } from './availability.js'
import type { PiecePicker } from './piece-picker.js'
import type { ProviderState } from './provider-state.js'
import type { ProviderInfo } from './session-types.js'

/** How long the fallback provider waits for newly named peers to say what they have. */
const FALLBACK_WAIT_MS = 1000
/** Requests at the head of the fallback's queue that are left alone (it may be sending them). */
const FALLBACK_SENDING_AHEAD = 1
/**
 * The fallback duplicates in-flight pieces (the endgame) only once the session stalled:
 * every downloader is in its endgame for a while (all its missing pieces requested from busy
 * peers), and each duplicate there costs the tracker's upload, which is the swarm's bottleneck.
 */
const FALLBACK_ENDGAME_PIECES = 0
/** Backoff of the fallback's reconnection: first delay, and the cap. */
const FALLBACK_RETRY_FIRST_MS = 250
const FALLBACK_RETRY_MAX_MS = 5000
/** Alternatives offered with each batch of requests to the tracker (super-seeding). */
export const MAX_ALTERNATIVES = 32

/** What the policy needs of its download session. */
export interface FallbackSession {
  readonly providers: ReadonlyMap<string, ProviderState>
  readonly picker: PiecePicker
  readonly availability: Availability
  readonly weak: ReadonlySet<string>
  readonly banned: ReadonlyMap<string, unknown>
  addProvider: (info: ProviderInfo) => void
  refillAll: () => void
  /** Takes `index` back from `p`: no longer in flight there, a CANCEL on the wire. */
  cancel: (p: ProviderState, index: number) => void
}

/**
 * How a download session uses the tracker, its provider of last resort: the tracker is asked
 * only for pieces no healthy peer holds, and of those only for this downloader's share (see
 * {@link TrackerShares}: each co-downloader asks the tracker for different pieces, so the
 * tracker uploads about one copy) until the session stalls; it waits a moment for newly
 * named peers to say what they have; a request still queued at the tracker is taken back when
 * a peer announces that piece; a dropped tracker stream is reopened with backoff.
 */
export class FallbackPolicy {
  /** The tracker's PeerId, when the session has a fallback. */
  readonly id?: string
  /** Requests taken back from the fallback because a peer announced the piece. */
  cancels = 0
  /** Pieces the tracker sent instead of ones asked (super-seeding). */
  substitutes = 0
  readonly #session: FallbackSession
  readonly #shares: TrackerShares
  readonly #stallMs: number
  /** Every peer a ticket named: they all fetch from the tracker, whether or not this session reaches them. */
  readonly #named = new Set<string>()
  /** Named peers known to hold the whole file: they fetch nothing. */
  readonly #complete = new Set<string>()
  /** Named peers this session could not reach: probably nobody can, so they fetch nothing either. */
  readonly #unreachable = new Set<string>()
  #attempts = 0
  #retryTimer?: NodeJS.Timeout
  #waitTimer?: NodeJS.Timeout

  constructor (id: string | undefined, self: string, pieceCount: number, stallMs: number, session: FallbackSession) {
    this.id = id
    this.#session = session
    this.#shares = new TrackerShares(self, pieceCount)
    this.#stallMs = stallMs
  }

  /** True when `provider` is the fallback. */
  is (provider: string): boolean {
    return provider === this.id
  }

  /** The fallback's stream is open. */
  connected (): void {
    this.#attempts = 0
  }

  /** The fallback's stream dropped: connect again by itself, with backoff (renewals may not come). */
  dropped (info: ProviderInfo): void {
    clearTimeout(this.#retryTimer)
    const delay = Math.min(FALLBACK_RETRY_MAX_MS, FALLBACK_RETRY_FIRST_MS * 2 ** this.#attempts++)
    this.#retryTimer = setTimeout(() => { this.#retryTimer = undefined; this.#session.addProvider(info) }, delay)
    this.#retryTimer.unref()
  }

  stop (): void {
    clearTimeout(this.#retryTimer)
    clearTimeout(this.#waitTimer)
  }

  /** A ticket named `peer` (it may be connected to already, or never be reachable from here). */
  named (peer: string): void {
    if (this.is(peer) || this.#named.has(peer)) return
    this.#named.add(peer)
    this.#membersChanged()
  }

  /** `peer` holds the whole file: it fetches nothing from the tracker. */
  complete (peer: string): void {
    if (this.is(peer) || this.#complete.has(peer)) return
    this.#complete.add(peer)
    this.#membersChanged()
  }

  /** `peer` was banned: it is no co-downloader to rely on. */
  banned (): void {
    this.#membersChanged()
  }

  /** A stream to `peer` ended; `reached`: it had sent its bitfield. */
  ended (peer: string, reached: boolean): void {
    if (this.is(peer) || reached === !this.#unreachable.has(peer)) return
    if (reached) this.#unreachable.delete(peer)
    else this.#unreachable.add(peer)
    this.#membersChanged()
  }

  /** `peer` sent its bitfield. */
  reached (peer: string): void {
    if (this.#unreachable.delete(peer)) this.#membersChanged()
  }

  /**
   * The co-downloaders sharing the tracker's pieces: every peer a ticket named, less the
   * complete, banned and unreachable ones. The tracker names the same peers to every
   * downloader of a file, so they agree on the split.
   */
  #membersChanged (): void {
    const members: string[] = []
    for (const p of this.#named) {
      if (!this.#complete.has(p) && !this.#unreachable.has(p) && !this.#session.banned.has(p)) members.push(p)
    }
    if (this.#shares.setMembers(members)) this.#session.refillAll()
  }

  /** How many downloaders share the tracker's pieces now (this one included). */
  get sharing (): number {
    return this.#shares.size
  }

  /**
   * Picks up to `max` pieces to ask the fallback for: pieces no healthy peer holds, of those
   * this downloader's share, no endgame duplicates. Waiting is cheaper than a second copy
   * (the piece's owner gets it and passes it on); once no piece was stored for the stall
   * time, any piece no healthy peer holds, and the endgame.
   */
  pick (max: number, sinceStoredMs: number): number[] {
    const { picker, weak } = this.#session
    const id = this.id as string
    if (sinceStoredMs > this.#stallMs) return picker.pick(id, max, { fallback: true, weak })
    const shares = this.#shares
    return picker.pick(id, max, { fallback: true, weak, owned: (i) => shares.isMine(i), endgameMissing: FALLBACK_ENDGAME_PIECES })
  }

  /**
   * Alternatives to send with a batch of requests to the tracker (super-seeding): missing
   * pieces no healthy peer holds, requested from nobody, this downloader's share first. Each
   * is remembered on `p`, so a substitute for it is accepted. None while a reader waits on a
   * missing piece: a player seeking to 90 % needs the pieces it asked for, not others.
   */
  offer (p: ProviderState): number[] {
    const { picker, weak } = this.#session
    if (picker.urgent) return []
    const shares = this.#shares
    const alternatives = picker.unclaimed(p.id, MAX_ALTERNATIVES, weak, (i) => shares.isMine(i))
    for (const i of alternatives) p.offered.add(i)
    return alternatives
  }

  /**
   * The tracker sent offered piece `index` instead of the wanted `wanted`: the wanted piece
   * is no longer in flight there (it is picked again, from a peer when one announces it),
   * the substitute is. Anything else (not offered, nothing owed, "not here") is a lie.
   */
  substituted (p: ProviderState, index: number, wanted: number, length: number): void {
    const at = p.inflight.indexOf(wanted)
    if (!this.is(p.id) || length === 0 || !p.offered.has(index) || (at < 0 && !p.cancelled.delete(wanted))) {
      throw new ProviderLiedError(`Provider sent piece ${index} instead of ${wanted}: not offered, or not asked for`)
    }
    if (at >= 0) p.inflight.splice(at, 1)
    const { picker } = this.#session
    picker.release(wanted, p.id)
    p.offered.delete(index)
    // asked for since it was offered: that request is answered now (a later copy is tolerated)
    this.#session.cancel(p, index)
    picker.claim(index, p.id)
    this.substitutes++
    this.#session.refillAll()
  }

  /**
   * True while a peer provider added in the last second has not sent its bitfield yet: the
   * fallback waits for it rather than serve pieces that peer may have. A timer re-checks.
   */
  peersConnecting (): boolean {
    const now = Date.now()
    for (const o of this.#session.providers.values()) {
      if (!this.is(o.id) && !o.connected && now - o.addedAt < FALLBACK_WAIT_MS) {
        this.#waitTimer ??= setTimeout(() => { this.#waitTimer = undefined; this.#session.refillAll() }, FALLBACK_WAIT_MS)
        return true
      }
    }
    return false
  }

  /**
   * A connected peer announced a piece the fallback was asked for: take the request back
   * from the fallback (it has probably not started sending it), so the swarm carries it and
   * the tracker's upload goes to pieces nobody has. (The tracker sends the least-served
   * wants first, so a piece someone else got from it may wait in its queue a long time.)
   */
  prefer (p: ProviderState, index: number): void {
    const { providers, picker } = this.#session
    if (this.id == null || this.is(p.id) || p.weak || picker.endgame) return
    const f = providers.get(this.id)
    const at = f?.inflight.indexOf(index) ?? -1
    // the head of the queue may be on the wire already
    if (f == null || at < FALLBACK_SENDING_AHEAD || f.current === index) return
    this.#session.cancel(f, index)
    this.cancels++
  }
}

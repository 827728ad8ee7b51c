import { ProtocolError } from '../../errors.js'
import { leastServedAt } from './least-served.js'
import type { ServableFile } from './piece-source.js'

/** Most piece requests one downloader may have queued at a provider. */
export const MAX_PENDING_WANTS = 512

/** The next piece to send: `urgent` when a reader waits on it (never substituted). */
export interface NextWant { index: number, urgent: boolean }

/**
 * One downloader's pending piece requests at a provider, in the order to serve them: the
 * pieces it marked urgent (a reader waits on them: a player, a seek) first, in the order it
 * gave; then the least-served wanted piece (the tracker's super-seeding, see
 * {@link leastServedAt}), which on a peer is simply the first asked. Without urgent marks a
 * piece the tracker sent to someone before waits behind every never-sent one, however long
 * a player has been waiting for it.
 *
 * Urgent marks cannot raise what a downloader gets, only its order: a mark names a piece it
 * wants (others are ignored), the list is as bounded as the wants (256 per request, replaced
 * by each request that carries wants or marks), and an index past the file is malformed.
 */
export class WantQueue {
  readonly #file: Pick<ServableFile, 'pieceCount' | 'timesServed'>
  readonly #wants: number[] = []
  /** Wanted pieces a reader waits on, most urgent first (may name pieces no longer wanted). */
  #urgent: number[] = []

  constructor (file: Pick<ServableFile, 'pieceCount' | 'timesServed'>) {
    this.#file = file
  }

  /** Pieces queued. */
  get length (): number {
    return this.#wants.length
  }

  /**
   * Queues `pieces` (in order); when the request carries wants or marks, `urgent` replaces
   * the urgent marks. Throws ProtocolError for a piece past the file or too many wants.
   */
  add (pieces: readonly number[], urgent: readonly number[] = []): void {
    const { pieceCount } = this.#file
    for (const index of pieces) {
      if (index >= pieceCount) throw new ProtocolError(`Piece ${index} does not exist`)
      this.#wants.push(index)
    }
    if (this.#wants.length > MAX_PENDING_WANTS) throw new ProtocolError('Too many pending piece requests')
    for (const index of urgent) {
      if (index >= pieceCount) throw new ProtocolError(`Urgent piece ${index} does not exist`)
    }
    if (pieces.length === 0 && urgent.length === 0) return
    if (urgent.length === 0) { // the common case (no reader waiting): no allocation per request
      this.#urgent.length = 0
      return
    }
    // linear in the request's size: a flood of marks costs the sender more than us
    const wanted = new Set(this.#wants)
    const marked = new Set<number>()
    for (const index of urgent) if (wanted.has(index)) marked.add(index)
    this.#urgent = [...marked] // a Set keeps the order of first insertion
  }

  /** Takes `index` out of the queue (a CANCEL, or sent as a substitute); false when it was not queued. */
  remove (index: number): boolean {
    const at = this.#wants.indexOf(index)
    if (at < 0) return false
    this.#wants.splice(at, 1)
    return true
  }

  /** The piece {@link take} would return, left queued. */
  peek (): NextWant | undefined {
    const at = this.#nextAt()
    return at == null ? undefined : { index: this.#wants[at.at], urgent: at.urgent }
  }

  /** Takes the next piece to send out of the queue. */
  take (): NextWant | undefined {
    const at = this.#nextAt()
    if (at == null) return undefined
    const index = at.at === 0 ? this.#wants.shift() as number : this.#wants.splice(at.at, 1)[0]
    if (at.urgent) this.#urgent.splice(this.#urgent.indexOf(index), 1)
    return { index, urgent: at.urgent }
  }

  #nextAt (): { at: number, urgent: boolean } | undefined {
    if (this.#wants.length === 0) return undefined
    while (this.#urgent.length > 0) {
      const at = this.#wants.indexOf(this.#urgent[0])
      if (at >= 0) return { at, urgent: true }
      this.#urgent.shift() // cancelled, or sent as a substitute meanwhile
    }
    return { at: leastServedAt(this.#wants, this.#file), urgent: false }
  }
}

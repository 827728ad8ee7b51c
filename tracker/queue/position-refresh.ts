import { OneShot } from './queued-request.js'
import type { QueueClock } from './index.js'

/**
 * Decides when a waiting request hears that it moved up. The first `eagerPositions` places
 * hear of every move at once; a request further back is only marked, and one timer for the
 * whole queue (at most one run per `refreshMs`) then tells every marked request its latest
 * position. With 2,000 waiting, a grant used to cost 2,000 notices (every one of them moves);
 * now it costs at most `eagerPositions`, and the rest cost one pass a second.
 */
export class PositionRefresh {
  readonly #clock: QueueClock
  readonly #eagerPositions: number
  readonly #refreshMs: number
  readonly #run: () => void
  readonly #timer = new OneShot()

  /** `run` is called from the timer: it notifies every request whose position changed. */
  constructor (clock: QueueClock, eagerPositions: number, refreshMs: number, run: () => void) {
    this.#clock = clock
    this.#eagerPositions = eagerPositions
    this.#refreshMs = refreshMs
    this.#run = run
  }

  /** A waiting request moved to `position`: true when it is told now, else a refresh is due. */
  tellNow (position: number): boolean {
    if (position <= this.#eagerPositions) return true
    if (!this.#timer.armed) this.#timer.arm(this.#clock, this.#refreshMs, this.#run)
    return false
  }

  stop (): void {
    this.#timer.clear(this.#clock)
  }
}

import { realClock } from '../queue/clock.js'
import type { QueueClock, QueueRequestKey } from '../queue/index.js'

/** Positions at or before this one are shown on every change. */
export const POSITION_NEAR_FRONT = 8
/** Positions up to this one are refreshed every {@link NEAR_ROUND_MS}; further back, every full round. */
export const NEAR_BAND_END = 100
/** How often the near band (positions 9 to 100) is refreshed when the queue moved. */
export const NEAR_ROUND_MS = 1000
/** Shortest and longest interval between two full rounds (every waiter refreshed). */
export const MIN_FULL_ROUND_MS = 2000
export const MAX_FULL_ROUND_MS = 10_000
/** Full round interval per waiting request: 2,000 waiters are refreshed every 5 s. */
const FULL_ROUND_MS_PER_WAITER = 2.5
/**
 * Updates written per turn of the event loop during a round, so a round never blocks it long:
 * each is a write through yamux and TLS to its own socket (tens of microseconds on a loaded
 * machine), and a grant that falls due meanwhile waits. 256 made turns of over 10 ms.
 */
const ROUND_CHUNK = 32

/** What a waiting peer is shown: "position N of M, about T". */
export interface ShownPosition {
  position: number
  waiting: number
  etaMs: number
}

/** One waiting request's place on the board. */
export interface BoardEntry {
  readonly key: string
  /** Its position, from the queue's newest event (the queue may tell places far back late). */
  latest?: ShownPosition
  /** What it was last shown. */
  shown?: ShownPosition
  /** Writes an update to the peer. */
  readonly show: (shown: ShownPosition) => void
  left: boolean
}

/** How often every waiter is refreshed with `waiting` requests in line. */
export function fullRoundMs (waiting: number): number {
  return Math.min(MAX_FULL_ROUND_MS, Math.max(MIN_FULL_ROUND_MS, waiting * FULL_ROUND_MS_PER_WAITER))
}

/**
 * Keeps the queue positions shown to waiting peers consistent with each other, cheaply. Every
 * grant moves every waiter one place; telling each of 2,000 waiters at once would cost 2,000
 * messages per grant, so positions far from the front are refreshed in rounds, and each round
 * is computed from one snapshot. The positions shown then always obey two rules, whatever the
 * timing: no two waiters are shown the same position (shown positions rise strictly along the
 * line), and no waiter is shown a place ahead of its true one (a shown position is never
 * smaller than the true position, and never goes up). Positions 1 to 8 are shown at once;
 * 9 to 100 in rounds every second; further back in full rounds every 2 to 10 s (2,000 waiters:
 * about 500 messages a second in all while the queue moves, none while it stands still). A
 * newcomer at the tail is shown a place at once: its true position, or one past the highest
 * position shown when others' shown places are still stale, so it never shares a number.
 */
export class PositionBoard {
  readonly #entries = new Map<string, BoardEntry>()
  readonly #line: () => QueueRequestKey[]
  readonly #clock: QueueClock
  readonly #defer: (fn: () => void) => void
  #timer?: unknown
  /** Some waiter's shown position is stale. */
  #dirty = false
  #lastFull: number
  /** The highest position shown to anyone (an upper bound). */
  #ceiling = 0

  /**
   * `line` lists the waiting requests, front first (the queue's true order: rounds take
   * positions from it, not from events, which the queue may send late for places far back).
   * `clock` (timers, default the wall clock with unref'd timers) and `defer` (runs the next
   * chunk of a round, default setImmediate) are for tests.
   */
  constructor (line: () => QueueRequestKey[], init: { clock?: QueueClock, defer?: (fn: () => void) => void } = {}) {
    this.#line = line
    this.#clock = init.clock ?? realClock
    this.#defer = init.defer ?? ((fn) => { setImmediate(fn) })
    this.#lastFull = this.#clock.now()
  }

  /** Registers waiting request `key` (its current stream), whose updates `show` writes. */
  join (key: QueueRequestKey, show: (shown: ShownPosition) => void): BoardEntry {
    const entry: BoardEntry = { key: keyOf(key), show, left: false }
    // a new stream of the same request takes over from the old one
    const old = this.#entries.get(entry.key)
    if (old != null) old.left = true
    this.#entries.set(entry.key, entry)
    return entry
  }

  /** The request stopped waiting (granted, refused, gone). */
  leave (entry: BoardEntry): void {
    entry.left = true
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key)
    if (this.#entries.size === 0) {
      if (this.#timer != null) this.#clock.clearTimeout(this.#timer)
      this.#timer = undefined
      this.#dirty = false
      this.#ceiling = 0
    }
  }

  /** The queue moved `entry` to `position` of `waiting`. */
  update (entry: BoardEntry, position: number, waiting: number, etaMs: number): void {
    if (entry.left) return
    entry.latest = { position, waiting, etaMs }
    if (position <= POSITION_NEAR_FRONT) {
      this.#show(entry, entry.latest)
      return
    }
    if (entry.shown === undefined && position >= waiting) {
      // a newcomer at the tail: one past every shown place, stale or not
      const shown = Math.max(position, this.#ceiling + 1)
      this.#show(entry, { position: shown, waiting: Math.max(waiting, shown), etaMs })
      return
    }
    this.#dirty = true
    this.#schedule()
  }

  /** What `entry` shows now (for a heartbeat). */
  shown (entry: BoardEntry): ShownPosition | undefined {
    return entry.shown
  }

  /** Stops the round timer (the board is reusable). */
  stop (): void {
    for (const entry of [...this.#entries.values()]) this.leave(entry)
  }

  #show (entry: BoardEntry, shown: ShownPosition): void {
    const before = entry.shown
    if (before !== undefined) {
      // a round computed before a fresher update must not move anyone back
      if (before.position < shown.position) return
      if (before.position === shown.position && before.waiting === shown.waiting) return
    }
    entry.shown = shown
    if (shown.position > this.#ceiling) this.#ceiling = shown.position
    entry.show(shown)
  }

  #schedule (): void {
    if (this.#timer != null || this.#entries.size === 0) return
    this.#timer = this.#clock.setTimeout(() => { this.#timer = undefined; this.#round() }, NEAR_ROUND_MS)
  }

  /**
   * One round: snapshots what changed, then writes it, front first, a chunk per turn of the
   * event loop. A full round also tells the front its line's length.
   */
  #round (): void {
    if (!this.#dirty) return
    this.#dirty = false
    const now = this.#clock.now()
    const line = this.#line()
    const waiting = line.length
    const full = now - this.#lastFull >= fullRoundMs(waiting)
    if (full) this.#lastFull = now
    // far back: only full rounds, where every stale place above it is refreshed too
    else if (waiting > NEAR_BAND_END) this.#dirty = true
    const end = full ? waiting : Math.min(waiting, NEAR_BAND_END)
    const batch: Array<[BoardEntry, ShownPosition]> = []
    for (let i = full ? 0 : POSITION_NEAR_FRONT; i < end; i++) {
      const entry = this.#entries.get(keyOf(line[i]))
      if (entry === undefined) continue // detached: it is shown nothing now
      const position = i + 1
      const shown = entry.shown
      if (shown !== undefined && shown.position === position && (!full || shown.waiting === waiting)) continue
      const etaMs = entry.latest?.etaMs ?? 0
      batch.push([entry, { position, waiting, etaMs }])
    }
    this.#write(batch, 0)
  }

  #write (batch: Array<[BoardEntry, ShownPosition]>, from: number): void {
    const end = Math.min(batch.length, from + ROUND_CHUNK)
    for (let i = from; i < end; i++) {
      const [entry, shown] = batch[i]
      if (!entry.left) this.#show(entry, shown)
    }
    if (end < batch.length) {
      this.#defer(() => { this.#write(batch, end) })
      return
    }
    // the highest place shown now: true positions for everyone refreshed, stale ones above
    let ceiling = 0
    for (const entry of this.#entries.values()) {
      if (entry.shown !== undefined && entry.shown.position > ceiling) ceiling = entry.shown.position
    }
    this.#ceiling = ceiling
    if (this.#dirty) this.#schedule()
  }
}

function keyOf (key: QueueRequestKey): string {
  return `${key.peerId}\n${key.requestId}`
}

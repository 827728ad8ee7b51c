import { QueueUpdate, writeMessage } from '../../node/index.js'
import type { BoardEntry, PositionBoard, ShownPosition } from './position-board.js'
import type { QueueRequestKey } from '../queue/index.js'
import type { Stream } from '@libp2p/interface'

/** A queue update with defaults for the fields not given. */
export function queueUpdate (fields: Partial<QueueUpdate> & Pick<QueueUpdate, 'type'>): QueueUpdate {
  return { position: 0, waiting: 0, etaMs: 0, ticket: new Uint8Array(0), refusal: QueueUpdate.Refusal.NONE, retryAfterMs: 0, message: '', ...fields }
}

/**
 * Sends one request's queue updates in order, keeping only the newest pending one while a
 * write is in progress, so a slow client costs one buffered message, not one per change.
 * Positions go through the tracker's {@link PositionBoard} when given (consistent positions
 * for every waiter, far ones refreshed in rounds); without one, every position is sent.
 */
export class UpdateWriter {
  #pending?: QueueUpdate
  #busy?: Promise<void>
  #error?: Error
  readonly #stream: Stream
  readonly #board?: { board: PositionBoard, key: QueueRequestKey }
  #entry?: BoardEntry
  #last?: ShownPosition

  /** `board`: the tracker's position board and this request's key on it. */
  constructor (stream: Stream, board?: { board: PositionBoard, key: QueueRequestKey }) {
    this.#stream = stream
    this.#board = board
  }

  /** The request's newest true position; what the peer is shown follows the board's rules. */
  position (position: number, waiting: number, etaMs: number): void {
    if (this.#board == null) {
      this.#showPosition({ position, waiting, etaMs })
      return
    }
    const { board, key } = this.#board
    this.#entry ??= board.join(key, (shown) => { this.#showPosition(shown) })
    board.update(this.#entry, position, waiting, etaMs)
  }

  /** Sends the position shown last again (a heartbeat: the queue is alive). */
  repeat (): void {
    if (this.#last != null) this.#showPosition(this.#last)
  }

  #showPosition (shown: ShownPosition): void {
    this.#last = shown
    this.push(queueUpdate({ type: QueueUpdate.Type.POSITION, ...shown }))
  }

  /** Sends `u` (replacing a pending, unsent update). */
  push (u: QueueUpdate): void {
    if (this.#error != null) return // the client is gone; the queue keeps its place for the grace period
    this.#pending = u
    this.#busy ??= this.#drain()
      .catch((err: Error) => { this.#error = err; this.#pending = undefined })
      .finally(() => { this.#busy = undefined })
  }

  /** Sends `u` and drops any position not sent yet (a ticket or a refusal ends the positions). */
  final (u: QueueUpdate): void {
    this.stop()
    this.push(u)
  }

  /** Leaves the board: no more positions. */
  stop (): void {
    if (this.#entry != null) this.#board?.board.leave(this.#entry)
    this.#entry = undefined
  }

  async #drain (): Promise<void> {
    while (this.#pending != null) {
      const u = this.#pending
      this.#pending = undefined
      await writeMessage(this.#stream, u, QueueUpdate)
    }
  }

  /** Waits until everything pushed is written; throws when the stream broke. */
  async flush (): Promise<void> {
    while (this.#busy != null) await this.#busy
    if (this.#error != null) throw this.#error
  }
}

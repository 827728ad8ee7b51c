import { QueueUpdate, encodeFrame, waitForDrain, writeMessage } from '../../node/index.js'
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

  /**
   * Sends `u` (replacing a pending, unsent update): at once when nothing is pending and the
   * stream has room, else after what is pending.
   */
  push (u: QueueUpdate): void {
    if (this.#error != null) return // the client is gone; the queue keeps its place for the grace period
    if (this.#busy == null && this.#sendNow(u)) return
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

  /** Whether everything pushed is handed to the stream (it may still sit in its buffer). */
  get sent (): boolean {
    return this.#busy == null && this.#error == null
  }

  /** Writes `u` now if the stream has room; false when it must wait. */
  #sendNow (u: QueueUpdate): boolean {
    const stream = this.#stream
    if (stream.writableNeedsDrain || stream.status !== 'open' || stream.writeStatus !== 'writable') return false
    try {
      if (!stream.send(encodeFrame(u, QueueUpdate))) {
        // the buffer is full now: flush() waits for it to drain, as writeMessage would
        this.#busy = waitForDrain(stream)
          .catch((err: Error) => { this.#error = err; this.#pending = undefined })
          .finally(() => {
            this.#busy = undefined
            const next = this.#pending
            this.#pending = undefined
            if (next != null) this.push(next)
          })
      }
    } catch (err) {
      this.#error = err as Error
    }
    return true
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

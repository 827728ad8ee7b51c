import { QueueUpdate, writeMessage } from '../../node/index.js'
import type { Stream } from '@libp2p/interface'

/** Positions at or before this one are pushed on every change; further back, throttled (see {@link positionIntervalMs}). */
export const POSITION_NEAR_FRONT = 8
/** Shortest interval between two position updates further back than {@link POSITION_NEAR_FRONT}. */
export const MIN_POSITION_INTERVAL_MS = 1000
/** Longest interval between two position updates (the 30 s heartbeat aside). */
export const MAX_POSITION_INTERVAL_MS = 10_000

/**
 * How often a request at `position` hears of its moves: 10 ms per place, from 1 s to 10 s,
 * so 2,000 waiters cost a few hundred messages a second rather than one per waiter per grant.
 */
export function positionIntervalMs (position: number): number {
  return Math.min(MAX_POSITION_INTERVAL_MS, Math.max(MIN_POSITION_INTERVAL_MS, position * 10))
}

/** A queue update with defaults for the fields not given. */
export function queueUpdate (fields: Partial<QueueUpdate> & Pick<QueueUpdate, 'type'>): QueueUpdate {
  return { position: 0, waiting: 0, etaMs: 0, ticket: new Uint8Array(0), refusal: QueueUpdate.Refusal.NONE, retryAfterMs: 0, message: '', ...fields }
}

/**
 * Sends one request's queue updates in order, keeping only the newest pending one while a
 * write is in progress, so a slow client costs one buffered message, not one per change.
 * Positions far from the front are throttled: with thousands waiting, every grant moves
 * everyone, and a peer at position 1,500 needs no message per step (the first position, every
 * position near the front, and the latest one once per interval are sent).
 */
export class UpdateWriter {
  #pending?: QueueUpdate
  #busy?: Promise<void>
  #error?: Error
  #lastPositionAt = -Infinity
  #deferred?: { position: number, waiting: number, etaMs: number }
  #timer?: NodeJS.Timeout
  readonly #stream: Stream

  constructor (stream: Stream) {
    this.#stream = stream
  }

  /** The newest position, sent now or (far from the front) within the interval. */
  position (position: number, waiting: number, etaMs: number): void {
    const now = performance.now()
    const interval = positionIntervalMs(position)
    if (position > POSITION_NEAR_FRONT && now - this.#lastPositionAt < interval) {
      this.#deferred = { position, waiting, etaMs }
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined
        const d = this.#deferred
        this.#deferred = undefined
        if (d != null) this.position(d.position, d.waiting, d.etaMs)
      }, interval - (now - this.#lastPositionAt))
      return
    }
    this.#lastPositionAt = now
    this.#deferred = undefined
    this.push(queueUpdate({ type: QueueUpdate.Type.POSITION, position, waiting, etaMs }))
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

  /** Stops a deferred position. */
  stop (): void {
    if (this.#timer != null) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#deferred = undefined
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

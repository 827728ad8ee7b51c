import type { ControlEvent } from './protocol.js'

type PieceEvent = Extract<ControlEvent, { type: 'piece' }>

/**
 * Verified pieces, told to a control client at most once per `intervalMs`: a download of
 * 256 pieces used to write 256 lines to the client's socket (a system call and a wake-up of
 * the client each). The first piece goes out at once; those that follow within the interval
 * are summed into one `piece` event (`bytes` and `peerBytes` added up, `providers` and
 * `uploadBytes` the latest) sent when it ends. {@link flush} sends what is pending at once
 * (before any other event, and before the result, so the client's counts are whole).
 * One timer per batch, not per piece.
 */
export class PieceBatch {
  readonly #send: (event: PieceEvent) => void
  readonly #intervalMs: number
  #pending: PieceEvent | undefined
  #timer: NodeJS.Timeout | undefined
  #lastSentAt = -Infinity

  constructor (send: (event: PieceEvent) => void, intervalMs = 100) {
    this.#send = send
    this.#intervalMs = intervalMs
  }

  /** One verified piece of `bytes`, from a peer or from the tracker. */
  add (bytes: number, fromPeer: boolean, providers: number, uploadBytes: number, now = Date.now()): void {
    const p = this.#pending
    if (p === undefined) {
      this.#pending = { type: 'piece', bytes, peerBytes: fromPeer ? bytes : 0, fromPeer, providers, uploadBytes }
    } else {
      p.bytes += bytes
      p.peerBytes = (p.peerBytes ?? 0) + (fromPeer ? bytes : 0)
      // old clients read fromPeer for all the bytes of the event: the larger share decides
      p.fromPeer = p.peerBytes * 2 > p.bytes
      p.providers = providers
      p.uploadBytes = uploadBytes
    }
    if (this.#timer !== undefined) return
    const wait = this.#lastSentAt + this.#intervalMs - now
    if (wait <= 0) {
      this.flush(now)
      return
    }
    this.#timer = setTimeout(() => { this.#timer = undefined; this.flush() }, wait)
    this.#timer.unref()
  }

  /** Sends the pending sum now, if any. */
  flush (now = Date.now()): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    const p = this.#pending
    if (p === undefined) return
    this.#pending = undefined
    this.#lastSentAt = now
    this.#send(p)
  }

  /** Drops what is pending and the timer (the client is gone). */
  close (): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pending = undefined
  }
}

import type { ProviderInfo } from './session-types.js'
import type { Stream } from '@libp2p/interface'

/** Requests in flight per provider cover about this much time of its delivery rate. */
const PIPELINE_SECONDS = 0.25
/** Fewest requests in flight per provider. */
export const MIN_PIPELINE = 2

/** What a session knows of one provider's stream. */
export class ProviderState {
  readonly id: string
  readonly info: ProviderInfo
  readonly addedAt = Date.now()
  /** Aborted by the stall watchdog (or the session's end): every read of the stream uses it. */
  readonly abort = new AbortController()
  stream?: Stream
  /** The bitfield arrived: requests may go out. */
  connected = false
  inflight: number[] = []
  /** Cancelled requests whose piece may still arrive. */
  readonly cancelled = new Set<number>()
  /** Smoothed delivery rate, bytes/s, sizing this provider's pipeline. */
  rate = 0
  lastArrival = 0
  /** Pieces this provider may have in flight, from its rate. */
  window: number
  /** When it last answered a request (or was first asked after being idle), ms. */
  lastProgress = Date.now()
  /** A piece's header arrived and its bytes are being read. */
  inPiece = false
  /** Delivered nothing for the session's stall time while asked: one request at a time until it delivers. */
  weak = false
  /** "Not here" answers for pieces its bitfield claimed. */
  denied = 0

  constructor (info: ProviderInfo, window: number) {
    this.id = info.peerId
    this.info = info
    this.window = window
  }

  /** True while it owes us something: requests in flight, or a piece being read. */
  get waiting (): boolean {
    return this.inflight.length > 0 || this.inPiece
  }

  /** Requests it may take now. */
  get room (): number {
    return (this.weak ? 1 : this.window) - this.inflight.length
  }

  /** Updates the delivery rate and, from it, how many pieces may be in flight (at most `maxInflight`). */
  measure (bytes: number, pieceSize: number, maxInflight: number): void {
    const now = performance.now()
    if (this.lastArrival > 0) {
      const sample = bytes / Math.max((now - this.lastArrival) / 1000, 0.0005)
      this.rate = this.rate === 0 ? sample : this.rate * 0.8 + sample * 0.2
      this.window = Math.max(MIN_PIPELINE, Math.min(maxInflight, Math.ceil((this.rate * PIPELINE_SECONDS) / pieceSize)))
    }
    this.lastArrival = now
  }
}

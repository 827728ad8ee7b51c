import { encodeFrame } from '../../streams/index.js'
import { TransferResponse } from './pb/transfer.js'
import type { Logger, Stream } from '@libp2p/interface'

/** Most pieces one HAVE message names (the decoder's limit is 4096). */
export const MAX_HAVES_PER_MESSAGE = 1024

/**
 * The HAVEs of one serving stream. A HAVE goes out at once (it is small and never waits for
 * the rate limiter or a piece), but the HAVEs of one event-loop turn go out as one message:
 * the single form (`index`) for one piece, `haves` for more. HAVEs raised before the
 * stream's BITFIELD went out wait for it.
 */
export class HaveBatcher {
  readonly #stream: Stream
  readonly #log: Logger
  readonly #queued: number[] = []
  #open = false
  #flush?: NodeJS.Immediate

  constructor (stream: Stream, log: Logger) {
    this.#stream = stream
    this.#log = log
  }

  /** The BITFIELD went out: HAVEs may follow it. */
  open (): void {
    this.#open = true
    if (this.#queued.length > 0) this.#flush ??= setImmediate(this.#send)
  }

  add (index: number): void {
    this.#queued.push(index)
    if (this.#open) this.#flush ??= setImmediate(this.#send)
  }

  close (): void {
    clearImmediate(this.#flush)
    this.#flush = undefined
    this.#open = false
    this.#queued.length = 0
  }

  readonly #send = (): void => {
    this.#flush = undefined
    const queued = this.#queued.splice(0)
    if (queued.length === 0 || this.#stream.writeStatus !== 'writable') return
    try {
      for (let at = 0; at < queued.length; at += MAX_HAVES_PER_MESSAGE) {
        const batch = queued.slice(at, at + MAX_HAVES_PER_MESSAGE)
        const msg = batch.length === 1
          ? haveResponse({ index: batch[0] })
          : haveResponse({ haves: batch })
        this.#stream.send(encodeFrame(msg, TransferResponse))
      }
    } catch (err) {
      this.#log.trace('cannot send HAVEs %s: %e', queued.join(','), err)
    }
  }
}

function haveResponse (fields: Partial<TransferResponse>): TransferResponse {
  return { type: TransferResponse.Type.HAVE, bitfield: new Uint8Array(0), pieceCount: 0, index: 0, length: 0, message: '', haves: [], ...fields }
}

import { Uint8ArrayList } from 'uint8arraylist'
import { ProtocolError } from '../../errors.js'
import { encodeFrame, readMessage, send } from '../../streams/index.js'
import { MAX_TRANSFER_FRAME_BYTES } from '../constants.js'
import { SendStalledError, StreamIdleError, TicketExpiredError } from './errors.js'
import { HaveBatcher } from './have-batcher.js'
import { PieceBuffers } from './piece-buffers.js'
import { response } from './response.js'
import { Substitutes } from './substitutes.js'
import { WantQueue } from './want-queue.js'
import { TransferRequest, TransferResponse } from './pb/transfer.js'
import type { StreamReader } from '../../streams/index.js'
import type { Ticket } from '../../tickets/index.js'
import type { ServableFile, UploadLimiter } from './piece-source.js'
import type { Logger, PeerId, Stream } from '@libp2p/interface'

export { MAX_PENDING_WANTS } from './want-queue.js'

/** What REJECT says when the tracker no longer honours a ticket. */
export const TICKET_NOT_LIVE = 'Ticket no longer valid'

/** Options of a {@link ServeSession}. */
export interface ServeSessionInit {
  stream: Stream
  reader: StreamReader
  file: ServableFile
  ticket: Ticket
  remotePeer: PeerId
  log: Logger
  limiter?: UploadLimiter
  isTicketLive?: (ticket: Ticket) => boolean
  /** Checks a ticket presented in the middle of the stream. */
  verify: (bytes: Uint8Array) => Promise<Ticket>
  /** Told of each renewed ticket accepted on this stream. */
  onTicket: (ticket: Ticket) => void
  onServed?: (bytes: number) => void
  /** A write during which no byte leaves the stream's buffer for this long ends the stream. */
  stallMs: number
  /** No request received and no piece sent for this long ends the stream. */
  idleMs: number
  /**
   * True when nothing written to the stream so far is still referenced below it (see
   * `writeReleaseProbe`): read buffers are then reused. Without it each piece gets a fresh one.
   */
  released?: () => boolean
}

/** A piece being read, into `into` when it came from the stream's {@link PieceBuffers}. */
interface PieceRead { index: number, piece: Promise<Uint8Array | undefined>, into?: Uint8Array }

/** Marks the normal end of a session (its read loop stops without error). */
const FINISHED = Symbol('finished')

/**
 * One downloader's stream: a reading loop for requests and a sending loop for pieces.
 * Memory per stream is bounded: the piece being sent plus one read-ahead piece, which a
 * cancel drops. One timer per stream (not per piece or write) enforces the ticket's expiry,
 * the write stall deadline and the idle timeout; it aborts the session's signal, which every
 * wait (read, write, rate limiter) honours.
 */
export class ServeSession {
  readonly #init: ServeSessionInit
  readonly #controller = new AbortController()
  /** Pieces asked for, urgent ones first (see {@link WantQueue}). */
  readonly #wants: WantQueue
  /** Pieces the downloader would take instead (the tracker's super-seeding). */
  readonly #substitutes: Substitutes
  readonly #haves: HaveBatcher
  #wake?: () => void
  #remoteDone = false
  #rejectWith?: string
  #ticket: Ticket
  #ahead?: PieceRead
  readonly #buffers?: PieceBuffers
  #timer?: NodeJS.Timeout
  /** When the pending write started or last made progress (0: none pending). */
  #sendingSince = 0
  /** The stream's unsent bytes when the pending write last made progress. */
  #unsent = Infinity
  #lastActivity = Date.now()

  constructor (init: ServeSessionInit) {
    this.#init = init
    this.#ticket = init.ticket
    this.#wants = new WantQueue(init.file)
    this.#substitutes = new Substitutes(init.file)
    this.#haves = new HaveBatcher(init.stream, init.log)
    const pieceSize = init.file.pieceSize
    if (init.released != null && pieceSize != null && pieceSize > 0) this.#buffers = new PieceBuffers(pieceSize, init.released)
    this.cid = init.ticket.cid.toString()
    this.peer = init.remotePeer.toString()
    this.#controller.signal.addEventListener('abort', () => {
      this.#haves.close()
      this.#notify()
    }, { once: true })
  }

  readonly cid: string
  /** The remote PeerId as a string. */
  readonly peer: string

  /** The newest ticket presented on this stream. */
  get ticket (): Ticket {
    return this.#ticket
  }

  /** Ends the session: every wait rejects with `err`. */
  abort (err: Error): void {
    this.#controller.abort(err)
  }

  /**
   * Queues piece requests (the hello may carry the first ones); requests with wants replace
   * the pieces the downloader would take instead (`alternatives`, see {@link Substitutes}),
   * and requests with wants or `urgent` marks replace the pieces a reader waits on.
   */
  want (pieces: number[], alternatives: number[] = [], urgent: number[] = []): void {
    if (pieces.length > 0) this.#substitutes.offer(alternatives)
    this.#wants.add(pieces, urgent)
    this.#notify()
  }

  /** Serves until the downloader is done, the ticket dies, or something fails (then throws). */
  async run (): Promise<void> {
    const { file } = this.#init
    this.#arm()
    // subscribed before the bitfield is encoded: a piece that arrives later is announced
    const unsubscribe = file.onPiece?.((index) => { this.#have(index) })
    try {
      await this.#write(encodeFrame(response({ type: TransferResponse.Type.BITFIELD, bitfield: file.bitfield.bytes, pieceCount: file.pieceCount }), TransferResponse))
      this.#haves.open()
      const outcomes = await Promise.allSettled([this.#readLoop(), this.#sendLoop()])
      for (const o of outcomes) {
        if (o.status === 'rejected') throw this.#cause(o.reason)
      }
    } finally {
      clearTimeout(this.#timer)
      this.#timer = undefined
      this.#haves.close()
      unsubscribe?.()
      this.#dropAhead()
      if (!this.#controller.signal.aborted) this.#controller.abort(FINISHED)
    }
  }

  /** The first failure is the real cause; the other loop only saw the abort it caused. */
  #cause (err: unknown): unknown {
    const reason: unknown = this.#controller.signal.reason
    return reason != null && reason !== FINISHED ? reason : err
  }

  #notify (): void {
    const w = this.#wake
    this.#wake = undefined
    w?.()
  }

  /** Announces a new piece at once, unless the downloader told us it holds it (see {@link HaveBatcher}). */
  #have (index: number): void {
    // the downloader told us it holds the piece (our own download reads its stream)
    if (this.#init.file.knownHeldBy?.(this.peer, index) === true) return
    this.#haves.add(index)
  }

  // --- the one timer ------------------------------------------------------------------

  #arm (): void {
    const { stallMs, idleMs } = this.#init
    const now = Date.now()
    // while no write is pending, one may start any moment: look again within stallMs
    const stallAt = this.#sendingSince > 0 ? this.#sendingSince + stallMs : now + stallMs
    const next = Math.min(this.#ticket.expiresAt + 10, this.#lastActivity + idleMs, stallAt)
    this.#timer = setTimeout(this.#tick, Math.max(10, next - now))
  }

  readonly #tick = (): void => {
    this.#timer = undefined
    const now = Date.now()
    if (this.#sendingSince > 0) {
      // progress is bytes leaving the stream's buffer, however slowly: big pieces to slow
      // downloaders are fine, a downloader that stops reading is not
      const unsent = this.#init.stream.writeBufferLength
      if (unsent < this.#unsent) {
        this.#unsent = unsent
        this.#sendingSince = now
      }
    }
    if (now >= this.#ticket.expiresAt) {
      // the stream (and its upload slot) lives no longer than the ticket, even when the
      // downloader stopped reading and a send is stuck waiting for window
      this.abort(new TicketExpiredError())
    } else if (this.#sendingSince > 0 && now - this.#sendingSince >= this.#init.stallMs) {
      this.abort(new SendStalledError(`A write made no progress for ${this.#init.stallMs} ms`))
    } else if (now - this.#lastActivity >= this.#init.idleMs) {
      this.abort(new StreamIdleError(`No request and no piece sent for ${this.#init.idleMs} ms`))
    } else {
      this.#arm()
    }
  }

  /** Writes with the stream's deadline (the timer above), respecting backpressure. */
  async #write (data: Uint8Array | Uint8ArrayList): Promise<void> {
    this.#sendingSince = Date.now()
    this.#unsent = Infinity
    try {
      await send(this.#init.stream, data, this.#controller.signal)
    } finally {
      this.#sendingSince = 0
    }
  }

  // --- requests -----------------------------------------------------------------------

  async #readLoop (): Promise<void> {
    const { reader } = this.#init
    const signal = this.#controller.signal
    try {
      for (;;) {
        const req = await readMessage(reader, TransferRequest, MAX_TRANSFER_FRAME_BYTES, signal)
        if (req == null) break
        this.#lastActivity = Date.now()
        if (req.ticket.byteLength > 0) {
          const renewed = await this.#init.verify(req.ticket)
          signal.throwIfAborted()
          if (renewed.cid.toString() !== this.cid) throw new ProtocolError('Renewed ticket is for another cid')
          if (this.#init.isTicketLive?.(renewed) === false) {
            this.#rejectWith = TICKET_NOT_LIVE
            break
          }
          this.#ticket = renewed
          this.#init.onTicket(renewed)
        }
        for (const index of req.cancel) this.#cancel(index)
        this.want(req.want, req.alternatives, req.urgent)
      }
    } catch (err) {
      if (signal.aborted && signal.reason === FINISHED) return
      this.abort(err as Error)
      throw err
    } finally {
      this.#remoteDone = true
      this.#notify()
    }
  }

  #cancel (index: number): void {
    this.#wants.remove(index)
    this.#substitutes.withdraw(index)
    if (this.#ahead?.index === index) this.#dropAhead()
  }

  // --- pieces -------------------------------------------------------------------------

  async #sendLoop (): Promise<void> {
    try {
      await this.#sendPieces()
    } catch (err) {
      this.abort(err as Error)
      throw err
    }
    // the read loop may still wait for a request that will not come
    this.#controller.abort(FINISHED)
  }

  async #sendPieces (): Promise<void> {
    const { stream, file } = this.#init
    const signal = this.#controller.signal
    for (;;) {
      signal.throwIfAborted()
      if (this.#rejectWith != null) {
        await this.#reject(this.#rejectWith)
        return
      }
      const next = this.#takeWant()
      if (next == null) {
        if (this.#remoteDone) break
        await new Promise<void>(resolve => { this.#wake = resolve })
        continue
      }
      let { index, replaces } = next
      let data = file.bitfield.has(index) ? await this.#read(index) : undefined
      if (data == null && replaces != null) {
        // the substitute cannot be read: the piece asked for after all
        index = replaces
        replaces = undefined
        data = file.bitfield.has(index) ? await this.#read(index) : undefined
      }
      if (data == null) {
        // length 0: "not here (any more)"; the downloader asks someone else
        await this.#write(encodeFrame(response({ type: TransferResponse.Type.PIECE, index, length: 0 }), TransferResponse))
        continue
      }
      this.#readAhead()
      await this.#init.limiter?.acquire(data.byteLength, signal)
      // checked last, right before the bytes go out: the ticket may have died while waiting
      if (Date.now() >= this.#ticket.expiresAt) {
        await this.#reject('Ticket expired')
        return
      }
      if (this.#init.isTicketLive?.(this.#ticket) === false) {
        await this.#reject(TICKET_NOT_LIVE)
        return
      }
      const header = encodeFrame(response({ type: TransferResponse.Type.PIECE, index, length: data.byteLength, replaces }), TransferResponse)
      await this.#write(new Uint8ArrayList(header, data))
      this.#buffers?.handedOver(data)
      this.#lastActivity = Date.now()
      this.#init.onServed?.(data.byteLength)
    }
    await stream.close({ signal })
  }

  /** Says why, closes our side, and ends the session (the server then frees the stream). */
  async #reject (message: string): Promise<void> {
    this.#init.log('ending the stream of %p: %s', this.#init.remotePeer, message)
    await this.#write(encodeFrame(response({ type: TransferResponse.Type.REJECT, message }), TransferResponse))
    this.#sendingSince = Date.now()
    this.#unsent = Infinity
    await this.#init.stream.close({ signal: this.#controller.signal })
    this.#sendingSince = 0
  }

  /** The piece from the read-ahead slot when it is the one, else from the file. */
  async #read (index: number): Promise<Uint8Array | undefined> {
    const ahead = this.#ahead
    this.#ahead = undefined
    if (ahead != null && ahead.index !== index) this.#drop(ahead)
    const read = ahead?.index === index ? ahead : this.#startRead(index)
    const data = await read.piece
    // not read into it (not here, failed, or read elsewhere): the buffer is free again
    if (read.into != null && (data == null || data.buffer !== read.into.buffer)) this.#buffers?.giveBack(read.into)
    return data
  }

  #startRead (index: number): PieceRead {
    const into = this.#buffers?.take()
    return { index, piece: this.#readPiece(index, into), into }
  }

  /** A read nobody will wait for: its buffer may still be written into, so it is never reused. */
  #drop (read: PieceRead): void {
    if (read.into != null) this.#buffers?.abandon(read.into)
  }

  /**
   * Takes the next piece to send out of the wants (and counts it as served): the next urgent
   * piece as asked, else the least-served wanted piece or an offered substitute for it
   * (`replaces`: the wanted piece it stands for). A reader waits on an urgent piece, so it
   * is never swapped for another.
   */
  #takeWant (): { index: number, replaces?: number } | undefined {
    const next = this.#wants.take()
    if (next == null) return undefined
    const wanted = next.index
    const instead = next.urgent ? undefined : this.#substitutes.instead(wanted)
    if (instead != null) this.#wants.remove(instead) // asked for meanwhile: sent once
    this.#init.file.markServed?.(instead ?? wanted)
    return instead == null ? { index: wanted } : { index: instead, replaces: wanted }
  }

  /** Starts reading the next wanted piece while the current one is sent. One slot only. */
  #readAhead (): void {
    const next = this.#wants.peek()?.index
    if (next == null || this.#ahead?.index === next || !this.#init.file.bitfield.has(next)) return
    if (this.#ahead != null) this.#drop(this.#ahead)
    this.#ahead = this.#startRead(next)
  }

  #dropAhead (): void {
    if (this.#ahead != null) this.#drop(this.#ahead)
    this.#ahead = undefined
  }

  /**
   * A piece that cannot be read is answered "not here", not with the end of the stream.
   * A sent piece may still be referenced below us after `send` resolved (Noise's write
   * buffer, a TLS socket's writable buffer), so a buffer is reused (`into`) only when the
   * `released` probe says all written bytes were consumed (see {@link PieceBuffers}).
   */
  async #readPiece (index: number, into?: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      return await this.#init.file.readPiece(index, into)
    } catch (err) {
      this.#init.log.error('cannot read piece %d of %s: %e', index, this.cid, err)
      return undefined
    }
  }
}

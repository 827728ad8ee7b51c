import { peerIdFromString } from '@libp2p/peer-id'
import { ProtocolError } from '../../errors.js'
import { Uint8ArrayList } from 'uint8arraylist'
import { StreamReader, encodeFrame, expectMessage, readMessage, send, writeMessage } from '../../streams/index.js'
import { verifyTicket } from '../../tickets/index.js'
import {
  FIRST_MESSAGE_TIMEOUT_MS, MAX_TRANSFER_FRAME_BYTES, TRANSFER_IDLE_TIMEOUT_MS, TRANSFER_PROTOCOL
} from '../constants.js'
import { TransferRequest, TransferResponse } from './pb/transfer.js'
import type { Host } from '../../host/index.js'
import type { Ticket } from '../../tickets/index.js'
import type { PieceSource, ServableFile, UploadLimiter } from './piece-source.js'
import type { ComponentLogger, Connection, Logger, PeerId, Stream } from '@libp2p/interface'

/** How long one piece may take to leave (the downloader must keep reading). */
export const SEND_STALL_TIMEOUT_MS = 30_000

/** Most piece requests one downloader may have queued at a provider. */
export const MAX_PENDING_WANTS = 512

/** Reported after each piece served. */
export interface ServedEvent {
  peer: string
  cid: string
  bytes: number
}

/** Options of {@link TransferServer}. */
export interface TransferServerInit {
  host: Host
  source: PieceSource
  /** The tracker whose tickets are honoured (known once connected). */
  tracker: () => PeerId | string | undefined
  logger: ComponentLogger
  /** Shared by all streams of this node. */
  limiter?: UploadLimiter
  /** Concurrent transfer streams per connection. @default 16 */
  maxInboundStreams?: number
  /** Downloaders served at once; more are refused as busy. @default unlimited */
  uploadSlots?: number
  /** @default TRANSFER_IDLE_TIMEOUT_MS */
  idleTimeoutMs?: number
  onServed?: (event: ServedEvent) => void
  /** Whether the tracker still honours a ticket (enforced by helper "serving"). @default always */
  isTicketLive?: (ticket: Ticket) => boolean
}

/**
 * Serves pieces over the transfer protocol to holders of a valid ticket: checks the ticket
 * before sending a single byte, then the bitfield, haves as pieces arrive, and the pieces
 * asked for, in order.
 */
export class TransferServer {
  readonly #init: TransferServerInit
  readonly #log: Logger
  readonly #active = new Set<Stream>()
  #serving = 0

  constructor (init: TransferServerInit) {
    this.#init = init
    this.#log = init.logger.forComponent('mediaswarm:transfer:server')
  }

  async start (): Promise<void> {
    await this.#init.host.handle(TRANSFER_PROTOCOL, async (stream, connection) => {
      this.#active.add(stream)
      try {
        await this.#serve(stream, connection)
      } catch (err) {
        this.#log.error('transfer stream from %p failed - %e', connection.remotePeer, err)
        stream.abort(err as Error)
      } finally {
        this.#active.delete(stream)
      }
    }, { maxInboundStreams: this.#init.maxInboundStreams ?? 16 })
  }

  /** Downloaders being served now. */
  get serving (): number {
    return this.#serving
  }

  async stop (): Promise<void> {
    await this.#init.host.unhandle(TRANSFER_PROTOCOL)
    for (const s of this.#active) s.abort(new Error('Provider stopping'))
  }

  async #verify (bytes: Uint8Array, connection: Connection): Promise<Ticket> {
    const tracker = this.#init.tracker()
    if (tracker == null) throw new ProtocolError('No tracker known to check tickets against')
    return verifyTicket(bytes, {
      tracker: typeof tracker === 'string' ? peerIdFromString(tracker) : tracker,
      presenter: connection.remotePeer
    })
  }

  async #serve (stream: Stream, connection: Connection): Promise<void> {
    const reader = new StreamReader(stream)
    const hello = await expectMessage(reader, TransferRequest, MAX_TRANSFER_FRAME_BYTES, AbortSignal.timeout(FIRST_MESSAGE_TIMEOUT_MS))
    let ticket: Ticket
    try {
      ticket = await this.#verify(hello.ticket, connection)
    } catch (err) {
      await writeMessage(stream, { type: TransferResponse.Type.REJECT, message: (err as Error).message, bitfield: new Uint8Array(0), pieceCount: 0, index: 0, length: 0 }, TransferResponse)
      await stream.close()
      throw err
    }
    const cid = ticket.cid.toString()
    const file = await this.#init.source.lookup(cid)
    if (file == null) {
      await writeMessage(stream, { type: TransferResponse.Type.REJECT, message: 'Not available here', bitfield: new Uint8Array(0), pieceCount: 0, index: 0, length: 0 }, TransferResponse)
      await stream.close()
      return
    }
    if (this.#serving >= (this.#init.uploadSlots ?? Infinity)) {
      await writeMessage(stream, response({ type: TransferResponse.Type.REJECT, message: 'Busy: all upload slots are in use' }), TransferResponse)
      await stream.close()
      await file.close?.()
      return
    }
    this.#log('serving %s to %p', cid, connection.remotePeer)
    this.#serving++
    const session = new ServeSession(stream, reader, file, ticket, this.#init, connection, async (bytes) => this.#verify(bytes, connection))
    try {
      session.want(hello.want)
      await session.run()
    } finally {
      this.#serving--
      await file.close?.().catch(() => {})
    }
  }
}

function response (fields: Partial<TransferResponse> & Pick<TransferResponse, 'type'>): TransferResponse {
  return { bitfield: new Uint8Array(0), pieceCount: 0, index: 0, length: 0, message: '', ...fields }
}

/** One downloader's stream: a reading loop for requests and a sending loop for pieces. */
class ServeSession {
  readonly #wants: number[] = []
  #wake?: () => void
  #done = false
  #expiresAt: number
  readonly #haves: number[] = []

  constructor (
    private readonly stream: Stream,
    private readonly reader: StreamReader,
    private readonly file: ServableFile,
    ticket: Ticket,
    private readonly init: TransferServerInit,
    private readonly connection: Connection,
    private readonly verify: (bytes: Uint8Array) => Promise<Ticket>
  ) {
    this.#expiresAt = ticket.expiresAt
    this.cid = ticket.cid.toString()
  }

  readonly cid: string

  #notify (): void {
    const w = this.#wake
    this.#wake = undefined
    w?.()
  }

  /** Queues piece requests (the hello may carry the first ones). */
  want (pieces: number[]): void {
    for (const index of pieces) {
      if (index >= this.file.pieceCount) throw new ProtocolError(`Piece ${index} does not exist`)
      this.#wants.push(index)
    }
    if (this.#wants.length > MAX_PENDING_WANTS) throw new ProtocolError('Too many pending piece requests')
    this.#notify()
  }

  async run (): Promise<void> {
    const { stream, file } = this
    await writeMessage(stream, response({ type: TransferResponse.Type.BITFIELD, bitfield: file.bitfield.bytes, pieceCount: file.pieceCount }), TransferResponse)
    const unsubscribe = file.onPiece?.((index) => { this.#haves.push(index); this.#notify() })
    // the stream (and its upload slot) lives no longer than the ticket, even when the
    // downloader stopped reading and a send is stuck waiting for window
    let watchdog: NodeJS.Timeout | undefined
    const check = (): void => {
      const left = this.#expiresAt - Date.now()
      if (left > 0) {
        watchdog = setTimeout(check, left + 10)
        return
      }
      stream.abort(new ProtocolError('Ticket expired'))
      this.#done = true
      this.#notify()
    }
    check()
    try {
      await Promise.all([this.#readLoop(), this.#sendLoop()])
    } finally {
      clearTimeout(watchdog)
      unsubscribe?.()
    }
  }

  async #readLoop (): Promise<void> {
    try {
      for (;;) {
        const req = await readMessage(this.reader, TransferRequest, MAX_TRANSFER_FRAME_BYTES, AbortSignal.timeout(this.init.idleTimeoutMs ?? TRANSFER_IDLE_TIMEOUT_MS))
        if (req == null) break
        if (req.ticket.byteLength > 0) {
          const renewed = await this.verify(req.ticket)
          if (renewed.cid.toString() !== this.cid) throw new ProtocolError('Renewed ticket is for another cid')
          this.#expiresAt = renewed.expiresAt
        }
        for (const index of req.cancel) {
          const at = this.#wants.indexOf(index)
          if (at >= 0) this.#wants.splice(at, 1)
        }
        this.want(req.want)
      }
    } finally {
      this.#done = true
      this.#notify()
    }
  }

  async #sendLoop (): Promise<void> {
    const { stream, file } = this
    // the next wanted piece is read from disk while the current one is sent
    const ahead = new Map<number, Promise<Uint8Array>>()
    const read = (index: number): Promise<Uint8Array> => {
      const p = ahead.get(index) ?? file.readPiece(index)
      ahead.delete(index)
      return p
    }
    try {
      await this.#sendPieces(stream, file, read, ahead)
    } finally {
      for (const p of ahead.values()) p.catch(() => {})
    }
    await stream.close()
  }

  async #sendPieces (stream: Stream, file: ServableFile, read: (index: number) => Promise<Uint8Array>, ahead: Map<number, Promise<Uint8Array>>): Promise<void> {
    for (;;) {
      while (this.#haves.length > 0) {
        await writeMessage(stream, response({ type: TransferResponse.Type.HAVE, index: this.#haves.shift() ?? 0 }), TransferResponse)
      }
      const index = this.#wants.shift()
      if (index == null) {
        if (this.#done) break
        await new Promise<void>(resolve => { this.#wake = resolve })
        continue
      }
      if (Date.now() >= this.#expiresAt) {
        await writeMessage(stream, response({ type: TransferResponse.Type.REJECT, message: 'Ticket expired' }), TransferResponse)
        throw new ProtocolError('Ticket expired during transfer')
      }
      if (!file.bitfield.has(index)) {
        // length 0: "not here (any more)"; the downloader asks someone else
        await writeMessage(stream, response({ type: TransferResponse.Type.PIECE, index, length: 0 }), TransferResponse)
        continue
      }
      const data = await read(index)
      const next = this.#wants[0]
      if (next != null && !ahead.has(next) && file.bitfield.has(next)) {
        const p = file.readPiece(next)
        p.catch(() => {})
        ahead.set(next, p)
      }
      await this.init.limiter?.acquire(data.byteLength)
      // a downloader that stops reading is dropped, not waited for
      await send(stream, new Uint8ArrayList(encodeFrame(response({ type: TransferResponse.Type.PIECE, index, length: data.byteLength }), TransferResponse), data), AbortSignal.timeout(SEND_STALL_TIMEOUT_MS))
      this.init.onServed?.({ peer: this.connection.remotePeer.toString(), cid: this.cid, bytes: data.byteLength })
    }
  }
}

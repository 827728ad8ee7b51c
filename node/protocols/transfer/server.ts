import { peerIdFromString } from '@libp2p/peer-id'
import { ProtocolError } from '../../errors.js'
import { StreamReader, expectMessage, withDeadline, writeMessage } from '../../streams/index.js'
import { verifyTicket } from '../../tickets/index.js'
import {
  FIRST_MESSAGE_TIMEOUT_MS, MAX_TRANSFER_FRAME_BYTES, TRANSFER_IDLE_TIMEOUT_MS, TRANSFER_PROTOCOL
} from '../constants.js'
import { StreamReplacedError } from './errors.js'
import { TransferRequest, TransferResponse } from './pb/transfer.js'
import { response } from './response.js'
import { ServeSession, TICKET_NOT_LIVE } from './serve-session.js'
import { writeReleaseProbe } from './write-release.js'
import type { Host } from '../../host/index.js'
import type { Ticket } from '../../tickets/index.js'
import type { PieceSource, UploadLimiter } from './piece-source.js'
import type { ComponentLogger, Connection, Logger, PeerId, Stream } from '@libp2p/interface'

export { MAX_PENDING_WANTS } from './serve-session.js'

/** How long a write may make no progress (no byte leaves the stream's buffer): the downloader must keep reading. */
export const SEND_STALL_TIMEOUT_MS = 30_000

/** Transfer streams one remote peer may hold open at once, across its connections. */
export const MAX_STREAMS_PER_PEER = 4

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
  /**
   * Transfer streams one remote PeerId may be served on at once, over all its connections.
   * Streams still waiting for their hello count separately, against `maxInboundStreams`.
   * @default MAX_STREAMS_PER_PEER
   */
  maxStreamsPerPeer?: number
  /** Downloaders served at once; more are refused as busy. @default unlimited */
  uploadSlots?: number
  /** No request and no piece sent for this long ends a stream. @default TRANSFER_IDLE_TIMEOUT_MS */
  idleTimeoutMs?: number
  /** A write that makes no progress for this long ends a stream. @default SEND_STALL_TIMEOUT_MS */
  sendStallTimeoutMs?: number
  /**
   * Whether the issuer still honours a (validly signed, unexpired) ticket: checked at the
   * hello, on every ticket presented in the middle of a stream and before each piece. A dead
   * ticket gets REJECT 'Ticket no longer valid' and the stream ends. Must be cheap.
   * @default every ticket is live until it expires
   */
  isTicketLive?: (ticket: Ticket) => boolean
  onServed?: (event: ServedEvent) => void
}

/** A stream's hello-phase writes and close must finish within this. */
const REFUSAL_TIMEOUT_MS = FIRST_MESSAGE_TIMEOUT_MS

/**
 * Serves pieces over the transfer protocol to holders of a valid ticket: checks the ticket
 * before sending a single byte, then the bitfield, haves as pieces arrive, and the pieces
 * asked for, in order. Bounded per remote peer: a few streams at once and one stream per
 * ticket (a second stream with the same ticket replaces the first).
 */
export class TransferServer {
  readonly #init: TransferServerInit
  readonly #log: Logger
  readonly #active = new Set<Stream>()
  /** Streams per remote peer still waiting for their hello. */
  readonly #pending = new Map<string, number>()
  /** Sessions per remote peer. */
  readonly #byPeer = new Map<string, Set<ServeSession>>()
  /** The session serving each ticket id (a session holds its two newest tickets). */
  readonly #byTicket = new Map<string, ServeSession>()
  readonly #ticketsOf = new Map<ServeSession, string[]>()
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
        if ((err as Error).name === 'StreamReplacedError') this.#log('stream from %p replaced - %e', connection.remotePeer, err)
        else this.#log.error('transfer stream from %p failed - %e', connection.remotePeer, err)
        stream.abort(err as Error)
      } finally {
        this.#active.delete(stream)
        // our side is closed; a remote that keeps its side open does not keep the stream
        if (stream.status === 'open') stream.abort(new Error('Transfer stream ended'))
      }
    }, { maxInboundStreams: this.#maxInbound })
  }

  /** Downloaders being served now. */
  get serving (): number {
    return this.#serving
  }

  /** Transfer streams of one remote peer being served now. */
  servingPeer (peer: PeerId | string): number {
    return this.#byPeer.get(peer.toString())?.size ?? 0
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

  get #maxInbound (): number {
    return this.#init.maxInboundStreams ?? 16
  }

  get #perPeer (): number {
    return this.#init.maxStreamsPerPeer ?? MAX_STREAMS_PER_PEER
  }

  /** Reads the hello, counted against the peer's limit of streams not yet admitted. */
  async #hello (stream: Stream, peer: string): Promise<{ hello: TransferRequest, reader: StreamReader } | undefined> {
    const pending = this.#pending.get(peer) ?? 0
    // as many as one connection may open: more connections do not get a peer more
    if (pending >= this.#maxInbound) {
      // a flood of silent streams: not worth a word
      stream.abort(new ProtocolError('Too many transfer streams waiting for their hello'))
      return undefined
    }
    this.#pending.set(peer, pending + 1)
    try {
      const reader = new StreamReader(stream)
      const hello = await withDeadline(FIRST_MESSAGE_TIMEOUT_MS, async (signal) => await expectMessage(reader, TransferRequest, MAX_TRANSFER_FRAME_BYTES, signal))
      return { hello, reader }
    } finally {
      const left = (this.#pending.get(peer) ?? 1) - 1
      if (left > 0) this.#pending.set(peer, left)
      else this.#pending.delete(peer)
    }
  }

  async #serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const opened = await this.#hello(stream, peer)
    if (opened == null) return
    const { hello, reader } = opened
    let ticket: Ticket
    try {
      ticket = await this.#verify(hello.ticket, connection)
    } catch (err) {
      await refuse(stream, (err as Error).message)
      throw err
    }
    if (this.#init.isTicketLive?.(ticket) === false) {
      await refuse(stream, TICKET_NOT_LIVE)
      return
    }
    const cid = ticket.cid.toString()
    const file = await this.#init.source.lookup(cid)
    if (file == null) {
      await refuse(stream, 'Not available here')
      return
    }
    try {
      // a newer stream for the same ticket wins: the old one is probably dead at the far end
      const previous = this.#byTicket.get(ticketKey(ticket))
      if (previous != null) this.#replace(previous, peer)
      if ((this.#byPeer.get(peer)?.size ?? 0) >= this.#perPeer) {
        await refuse(stream, 'Busy: too many transfer streams from this peer')
        return
      }
      if (this.#serving >= (this.#init.uploadSlots ?? Infinity)) {
        await refuse(stream, 'Busy: all upload slots are in use')
        return
      }
      this.#log('serving %s to %p', cid, connection.remotePeer)
      const session: ServeSession = new ServeSession({
        stream,
        reader,
        file,
        ticket,
        remotePeer: connection.remotePeer,
        log: this.#log,
        limiter: this.#init.limiter,
        isTicketLive: this.#init.isTicketLive,
        verify: async (bytes) => this.#verify(bytes, connection),
        onTicket: (renewed) => { this.#claim(session, renewed) },
        onServed: (bytes) => { this.#init.onServed?.({ peer, cid, bytes }) },
        stallMs: this.#init.sendStallTimeoutMs ?? SEND_STALL_TIMEOUT_MS,
        idleMs: this.#init.idleTimeoutMs ?? TRANSFER_IDLE_TIMEOUT_MS,
        released: writeReleaseProbe(stream, connection)
      })
      this.#register(session, peer)
      try {
        session.want(hello.want, hello.alternatives, hello.urgent)
        await session.run()
      } finally {
        this.#unregister(session, peer)
      }
    } finally {
      await file.close?.().catch(() => {})
    }
  }

  /** Ends a session whose ticket a newer stream presented, freeing its place at once. */
  #replace (session: ServeSession, peer: string): void {
    session.abort(new StreamReplacedError())
    this.#unregister(session, peer)
  }

  #register (session: ServeSession, peer: string): void {
    this.#serving++
    let sessions = this.#byPeer.get(peer)
    if (sessions == null) {
      sessions = new Set()
      this.#byPeer.set(peer, sessions)
    }
    sessions.add(session)
    this.#ticketsOf.set(session, [])
    this.#claim(session, session.ticket)
  }

  #unregister (session: ServeSession, peer: string): void {
    if (!this.#ticketsOf.has(session)) return
    this.#serving--
    const sessions = this.#byPeer.get(peer)
    sessions?.delete(session)
    if (sessions?.size === 0) this.#byPeer.delete(peer)
    for (const key of this.#ticketsOf.get(session) ?? []) {
      if (this.#byTicket.get(key) === session) this.#byTicket.delete(key)
    }
    this.#ticketsOf.delete(session)
  }

  /** Records that `session` serves `ticket` (keeping its two newest); another holder is replaced. */
  #claim (session: ServeSession, ticket: Ticket): void {
    const key = ticketKey(ticket)
    const holder = this.#byTicket.get(key)
    if (holder != null && holder !== session) this.#replace(holder, holder.peer)
    this.#byTicket.set(key, session)
    const keys = this.#ticketsOf.get(session)
    if (keys == null || keys.includes(key)) return
    keys.push(key)
    while (keys.length > 2) {
      const old = keys.shift() as string
      if (this.#byTicket.get(old) === session) this.#byTicket.delete(old)
    }
  }
}

function ticketKey (ticket: Ticket): string {
  return Buffer.from(ticket.ticketId).toString('hex')
}

/** Answers REJECT and closes our side, within a deadline (the remote may never read). */
async function refuse (stream: Stream, message: string): Promise<void> {
  const signal = AbortSignal.timeout(REFUSAL_TIMEOUT_MS)
  await writeMessage(stream, response({ type: TransferResponse.Type.REJECT, message }), TransferResponse, signal)
  await stream.close({ signal })
}

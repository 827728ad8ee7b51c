import { peerIdFromString } from '@libp2p/peer-id'
import { ProtocolError, ProviderRefusedError } from '../errors.js'
import { FIRST_MESSAGE_TIMEOUT_MS, MAX_TRANSFER_FRAME_BYTES, TRANSFER_PROTOCOL } from '../protocols/constants.js'
import { TransferRequest, TransferResponse } from '../protocols/transfer/pb/transfer.js'
import { Bitfield } from '../store/index.js'
import { StreamReader, expectMessage, writeMessage } from '../streams/index.js'
import { yieldDial } from './dial-tiebreak.js'
import type { ProviderInfo } from './session-types.js'
import type { Host } from '../host/index.js'
import type { Ticket } from '../tickets/index.js'
import type { Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** `addr` ending in /p2p/<peer> (added when missing), so a dial can reuse a connection to the peer. */
function withPeer (addr: Multiaddr, peer: string): Multiaddr {
  return addr.getComponents().at(-1)?.value === peer ? addr : addr.encapsulate(`/p2p/${peer}`)
}

/** Requests in flight per provider cover about this much time of its delivery rate. */
const PIPELINE_SECONDS = 0.25
/**
 * A rate sample spans at least this long: pieces often arrive back to back (a rate limiter's
 * burst, a TLS socket draining at once), and a sample per piece would then read as a huge
 * rate, a huge pipeline, and a seek waiting behind it.
 */
const SAMPLE_MS = 200
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
  /** Bytes arrived since `lastArrival` (the current sample). */
  #sampleBytes = 0
  /** Pieces this provider may have in flight, from its rate. */
  window: number
  /** When it last answered a request (or was first asked after being idle), ms. */
  lastProgress = Date.now()
  /** A piece's header arrived and its bytes are being read. */
  inPiece = false
  /** The piece whose header arrived last. */
  current = -1
  /** Delivered nothing for the session's stall time while asked: one request at a time until it delivers. */
  weak = false
  /** "Not here" answers for pieces its bitfield claimed. */
  denied = 0
  /** Pieces offered to it as alternatives on this stream (it may send one instead of a wanted piece). */
  readonly offered = new Set<number>()
  /** When the ticket it was last shown expires. */
  ticketExpiresAt = 0

  /** Let the peer with the smaller PeerId dial first (see {@link yieldDial}): false for a peer that does not know of us yet. */
  readonly tieBreak: boolean

  constructor (info: ProviderInfo, window: number, tieBreak = true) {
    this.id = info.peerId
    this.info = info
    this.window = window
    this.tieBreak = tieBreak
  }

  /** True while it owes us something: requests in flight, or a piece being read. */
  get waiting (): boolean {
    return this.inflight.length > 0 || this.inPiece
  }

  /** Requests it may take now. */
  get room (): number {
    return (this.weak ? 1 : this.window) - this.inflight.length
  }

  /**
   * Dials the provider, presents the ticket and reads its bitfield (within the first-message
   * timeout). Throws ProviderRefusedError on a REJECT, ProtocolError on anything else.
   * With `tieBreak` (another peer, which may be dialling us at the same moment) it first
   * lets the peer with the smaller PeerId dial (see {@link yieldDial}).
   */
  async open (host: Host, ticket: Ticket, pieceCount: number, tieBreak = false, graceMs?: number): Promise<{ reader: StreamReader, bits: Bitfield }> {
    const peerId = peerIdFromString(this.id)
    if (this.info.multiaddrs.length > 0) await host.peerStore.merge(peerId, { multiaddrs: this.info.multiaddrs })
    if (tieBreak) await yieldDial(host, peerId, this.abort.signal, graceMs)
    const first = AbortSignal.any([this.abort.signal, AbortSignal.timeout(FIRST_MESSAGE_TIMEOUT_MS)])
    // an open direct connection is reused; otherwise only the addresses the ticket names are
    // dialled: the peer's own list (learned through identify, even over a relay) holds its LAN
    // and loopback addresses, which from another network hang until the dial times out
    const target = this.info.multiaddrs.length > 0 ? this.info.multiaddrs.map(a => withPeer(a, this.id)) : peerId
    const stream = await host.dialProtocol(target, TRANSFER_PROTOCOL, { signal: first })
    this.stream = stream
    this.ticketExpiresAt = ticket.expiresAt
    const reader = new StreamReader(stream, { highWaterMark: 2 * 1024 * 1024 })
    await writeMessage(stream, { ticket: ticket.bytes, want: [], cancel: [], alternatives: [], urgent: [] }, TransferRequest)
    const hello = await expectMessage(reader, TransferResponse, MAX_TRANSFER_FRAME_BYTES, first)
    if (hello.type === TransferResponse.Type.REJECT) throw new ProviderRefusedError(`Provider refused: ${hello.message}`)
    if (hello.type !== TransferResponse.Type.BITFIELD || hello.pieceCount !== pieceCount) {
      throw new ProtocolError('Provider did not start with a matching bitfield')
    }
    return { reader, bits: new Bitfield(hello.pieceCount, hello.bitfield) }
  }

  /** Updates the delivery rate and, from it, how many pieces may be in flight (at most `maxInflight`). */
  measure (bytes: number, pieceSize: number, maxInflight: number): void {
    const now = performance.now()
    if (this.lastArrival > 0) {
      this.#sampleBytes += bytes
      const ms = now - this.lastArrival
      if (ms < SAMPLE_MS) return
      const sample = this.#sampleBytes / (ms / 1000)
      this.rate = this.rate === 0 ? sample : this.rate * 0.8 + sample * 0.2
      this.window = Math.max(MIN_PIPELINE, Math.min(maxInflight, Math.ceil((this.rate * PIPELINE_SECONDS) / pieceSize)))
    }
    this.#sampleBytes = 0
    this.lastArrival = now
  }
}

import { peerIdFromString } from '@libp2p/peer-id'
import { BadPieceError, NoProvidersError, ProtocolError, ProviderRefusedError } from '../errors.js'
import { pieceLength, verifyPiece } from '../manifest/index.js'
import {
  FIRST_MESSAGE_TIMEOUT_MS, MAX_PIECE_BYTES, MAX_TRANSFER_FRAME_BYTES, PIECE_TIMEOUT_MS, TRANSFER_PROTOCOL
} from '../protocols/constants.js'
import { TransferRequest, TransferResponse } from '../protocols/transfer/pb/transfer.js'
import { Bitfield } from '../store/index.js'
import { StreamReader, expectMessage, readMessage, writeMessage } from '../streams/index.js'
import { PiecePicker } from './piece-picker.js'
import type { Host } from '../host/index.js'
import type { StoredFile } from '../store/index.js'
import type { Ticket } from '../tickets/index.js'
import type { ComponentLogger, Logger, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Verified pieces waiting to be written, at most. */
const MAX_PENDING_WRITES = 4

/** A node that may serve the file. */
export interface ProviderInfo {
  peerId: string
  multiaddrs: Multiaddr[]
}

/** Progress events, namespaced as in Helia. */
export type DownloadEvent =
  | { type: 'transfer:provider-connected', provider: string, pieces: number }
  | { type: 'transfer:provider-dropped', provider: string, reason: string }
  | { type: 'transfer:piece-verified', provider: string, index: number, bytes: number }
  | { type: 'transfer:bad-piece', provider: string, index: number }

/** Options of a {@link DownloadSession}. */
export interface DownloadSessionInit {
  host: Host
  file: StoredFile
  ticket: Ticket
  providers: ProviderInfo[]
  logger: ComponentLogger
  /** Most bytes requested and not yet received, per provider. @default 8 MiB */
  pipelineBytes?: number
  /**
   * The tracker's PeerId: asked only for pieces no peer provider has (until the endgame),
   * so the swarm, not the tracker, carries the load.
   */
  fallbackProvider?: string
  /** How long a provider may take to deliver the next requested piece. @default PIECE_TIMEOUT_MS */
  pieceTimeoutMs?: number
  onProgress?: (event: DownloadEvent) => void
  signal?: AbortSignal
  /** How long to wait for a new provider once every provider failed. @default NO_PROVIDER_GRACE_MS */
  noProviderGraceMs?: number
}

/** Once every provider failed, a renewal may still name new ones (or the tracker, back from a restart) within this time. */
export const NO_PROVIDER_GRACE_MS = 30_000

/** What a finished session reports. */
export interface DownloadResult {
  /** Verified bytes received from each provider. */
  bytesByProvider: Record<string, number>
  /** Providers dropped, with the reason. */
  dropped: Record<string, string>
}

interface ProviderState {
  id: string
  stream?: Stream
  bits?: Bitfield
  inflight: number[]
  /** Cancelled requests whose piece may still arrive. */
  cancelled: Set<number>
  /** Smoothed delivery rate, bytes/s, sizing this provider's pipeline. */
  rate: number
  lastArrival: number
  /** Pieces this provider may have in flight, from its rate. */
  window: number
  addedAt: number
}

/** How long the fallback provider waits for newly named peers to say what they have. */
const FALLBACK_WAIT_MS = 1000

/** Requests in flight per provider cover about this much time of its delivery rate. */
const PIPELINE_SECONDS = 0.25
const MIN_PIPELINE = 2

/**
 * Downloads one file from every provider of a ticket at once: a bounded pipeline of piece
 * requests per provider, rarest-first picks, an endgame for the last pieces, every piece
 * verified against the manifest before it is written, and providers that send a bad piece,
 * stall or fail dropped while the others carry on.
 */
export class DownloadSession {
  readonly #init: DownloadSessionInit
  readonly #log: Logger
  readonly #picker: PiecePicker
  readonly #providers = new Map<string, ProviderState>()
  readonly #bytes: Record<string, number> = {}
  readonly #dropped: Record<string, string> = {}
  readonly #maxInflight: number
  /** Providers that sent a bad piece or broke the protocol: never asked again. */
  readonly #banned = new Set<string>()
  #ticket: Ticket
  #running = 0
  /** Verified pieces being written; bounded so memory stays at a few pieces. */
  readonly #writes = new Set<Promise<void>>()
  #finish?: { resolve: () => void, reject: (err: Error) => void }
  #finished = false
  #idleTimer?: NodeJS.Timeout
  #waitTimer?: NodeJS.Timeout

  constructor (init: DownloadSessionInit) {
    this.#init = init
    this.#log = init.logger.forComponent('mediaswarm:session')
    this.#ticket = init.ticket
    this.#picker = new PiecePicker(init.file.bitfield)
    const pieceSize = init.file.info.manifest.pieceSize
    this.#maxInflight = Math.max(MIN_PIPELINE, Math.min(256, Math.floor((init.pipelineBytes ?? 8 * 1024 * 1024) / pieceSize)))
  }

  /** Runs until every piece is stored; rejects with NoProvidersError when all providers failed. */
  async run (): Promise<DownloadResult> {
    if (!this.#picker.complete) {
      const done = new Promise<void>((resolve, reject) => { this.#finish = { resolve, reject } })
      const onAbort = (): void => { this.#end(this.#init.signal?.reason ?? new Error('Aborted')) }
      this.#init.signal?.addEventListener('abort', onAbort, { once: true })
      for (const p of this.#init.providers) this.addProvider(p)
      if (this.#running === 0) this.#end(new NoProvidersError('The ticket names no provider'))
      try {
        await done
      } finally {
        this.#init.signal?.removeEventListener('abort', onAbort)
        for (const p of this.#providers.values()) p.stream?.abort(new Error('Download session ended'))
      }
    }
    await this.#init.file.flush()
    return { bytesByProvider: { ...this.#bytes }, dropped: { ...this.#dropped } }
  }

  /**
   * Adds a provider (from a renewed ticket) while running; one that failed for a reason
   * other than bad data may be added again later.
   */
  addProvider (info: ProviderInfo): void {
    if (this.#finished || this.#providers.has(info.peerId) || this.#banned.has(info.peerId) || info.peerId === this.#init.host.peerId.toString()) return
    clearTimeout(this.#idleTimer)
    const state: ProviderState = { id: info.peerId, inflight: [], cancelled: new Set(), rate: 0, lastArrival: 0, window: Math.min(4, this.#maxInflight), addedAt: Date.now() }
    this.#providers.set(info.peerId, state)
    this.#running++
    this.#runProvider(state, info)
      .catch((err: Error) => {
        this.#dropped[state.id] = err.message
        // the tracker is never banned: it may restart, and it is the provider of last resort
        if (err instanceof ProtocolError && state.id !== this.#init.fallbackProvider) this.#banned.add(state.id)
        if (!this.#finished) {
          this.#log('provider %s dropped - %s', state.id, err.message)
          this.#init.onProgress?.({ type: 'transfer:provider-dropped', provider: state.id, reason: err.message })
        }
        state.stream?.abort(err)
      })
      .finally(() => {
        if (state.bits != null) this.#picker.removeBitfield(state.bits)
        for (const i of state.inflight) this.#picker.release(i, state.id)
        state.inflight = []
        this.#providers.delete(state.id)
        this.#running--
        if (this.#finished) return
        if (this.#running === 0) {
          // a renewal may name providers again (the tracker after a restart): wait a while
          this.#idleTimer = setTimeout(() => {
            if (this.#running === 0) this.#end(new NoProvidersError(`No provider could serve the remaining ${this.#picker.missing} pieces`))
          }, this.#init.noProviderGraceMs ?? NO_PROVIDER_GRACE_MS)
        } else {
          this.#refillAll()
        }
      })
  }

  /** Presents a renewed ticket on every open stream. */
  updateTicket (ticket: Ticket): void {
    this.#ticket = ticket
    for (const p of this.#providers.values()) {
      if (p.stream != null) void this.#write(p, { ticket: ticket.bytes, want: [], cancel: [] })
    }
  }

  /** Marks pieces to fetch first (streaming); see PiecePicker.setUrgent. */
  setUrgent (pieces: number[]): void {
    this.#picker.setUrgent(pieces)
    this.#refillAll()
  }

  #end (err?: Error): void {
    if (this.#finished) return
    this.#finished = true
    clearTimeout(this.#idleTimer)
    clearTimeout(this.#waitTimer)
    if (err == null) this.#finish?.resolve()
    else this.#finish?.reject(err)
  }

  async #write (p: ProviderState, msg: TransferRequest): Promise<void> {
    try {
      if (p.stream != null) await writeMessage(p.stream, msg, TransferRequest)
    } catch (err) {
      p.stream?.abort(err as Error)
    }
  }

  /**
   * True while a peer provider added in the last second has not sent its bitfield yet: the
   * fallback waits for it rather than serve pieces that peer may have. A timer re-checks.
   */
  #peersConnecting (): boolean {
    const now = Date.now()
    for (const o of this.#providers.values()) {
      if (o.id !== this.#init.fallbackProvider && o.bits == null && now - o.addedAt < FALLBACK_WAIT_MS) {
        this.#waitTimer ??= setTimeout(() => { this.#waitTimer = undefined; this.#refillAll() }, FALLBACK_WAIT_MS)
        return true
      }
    }
    return false
  }

  #refillAll (): void {
    for (const p of this.#providers.values()) this.#refill(p)
  }

  #refill (p: ProviderState): void {
    if (p.stream == null || p.bits == null || this.#finished) return
    const room = p.window - p.inflight.length
    if (room < Math.max(1, p.window / 4)) return // batch requests
    const fallback = p.id === this.#init.fallbackProvider && this.#providers.size > 1
    if (fallback && this.#peersConnecting()) return
    const picks = this.#picker.pick(p.id, p.bits, room, fallback)
    if (picks.length === 0) return
    p.inflight.push(...picks)
    void this.#write(p, { ticket: new Uint8Array(0), want: picks, cancel: [] })
  }

  async #runProvider (p: ProviderState, info: ProviderInfo): Promise<void> {
    const { host, file } = this.#init
    const peerId = peerIdFromString(info.peerId)
    if (info.multiaddrs.length > 0) await host.peerStore.merge(peerId, { multiaddrs: info.multiaddrs })
    const stream = await host.dialProtocol(peerId, TRANSFER_PROTOCOL, { signal: AbortSignal.timeout(FIRST_MESSAGE_TIMEOUT_MS) })
    p.stream = stream
    const reader = new StreamReader(stream, { highWaterMark: 2 * 1024 * 1024 })
    await writeMessage(stream, { ticket: this.#ticket.bytes, want: [], cancel: [] }, TransferRequest)
    const first = await expectMessage(reader, TransferResponse, MAX_TRANSFER_FRAME_BYTES, AbortSignal.timeout(FIRST_MESSAGE_TIMEOUT_MS))
    if (first.type === TransferResponse.Type.REJECT) throw new ProviderRefusedError(`Provider refused: ${first.message}`)
    if (first.type !== TransferResponse.Type.BITFIELD || first.pieceCount !== file.info.pieceCount) {
      throw new ProtocolError('Provider did not start with a matching bitfield')
    }
    p.bits = new Bitfield(first.pieceCount, first.bitfield)
    this.#picker.addBitfield(p.bits)
    this.#init.onProgress?.({ type: 'transfer:provider-connected', provider: p.id, pieces: p.bits.count })
    // the fallback may have been waiting for this bitfield
    this.#refillAll()
    const timeout = this.#init.pieceTimeoutMs ?? PIECE_TIMEOUT_MS
    while (!this.#finished) {
      const waiting = p.inflight.length > 0
      const signal = waiting ? AbortSignal.timeout(timeout) : undefined
      const msg = await readMessage(reader, TransferResponse, MAX_TRANSFER_FRAME_BYTES, signal)
        .catch((err: Error) => { throw err.name === 'TimeoutError' ? new ProtocolError('Provider stalled') : err })
      if (msg == null) throw new ProtocolError('Provider closed the stream')
      if (msg.type === TransferResponse.Type.HAVE) {
        if (msg.index < p.bits.size && p.bits.set(msg.index)) this.#picker.addHave(msg.index)
      } else if (msg.type === TransferResponse.Type.PIECE) {
        await this.#receivePiece(p, reader, msg, timeout)
      } else if (msg.type === TransferResponse.Type.REJECT) {
        throw new ProviderRefusedError(`Provider refused: ${msg.message}`)
      } else {
        throw new ProtocolError('Unexpected message from provider')
      }
      this.#refill(p)
    }
  }

  /** Updates a provider's delivery rate and, from it, how many pieces it may have in flight. */
  #measure (p: ProviderState, bytes: number): void {
    const now = performance.now()
    if (p.lastArrival > 0) {
      const sample = bytes / Math.max((now - p.lastArrival) / 1000, 0.0005)
      p.rate = p.rate === 0 ? sample : p.rate * 0.8 + sample * 0.2
      const pieceSize = this.#init.file.info.manifest.pieceSize
      p.window = Math.max(MIN_PIPELINE, Math.min(this.#maxInflight, Math.ceil((p.rate * PIPELINE_SECONDS) / pieceSize)))
    }
    p.lastArrival = now
  }

  async #receivePiece (p: ProviderState, reader: StreamReader, msg: TransferResponse, timeout: number): Promise<void> {
    const { file } = this.#init
    const index = msg.index
    const at = p.inflight.indexOf(index)
    const wasCancelled = p.cancelled.delete(index)
    if (at < 0 && !wasCancelled) throw new ProtocolError(`Provider sent piece ${index}, which was not asked for`)
    if (at >= 0) p.inflight.splice(at, 1)
    if (msg.length === 0) {
      // the provider does not have it (any more)
      p.bits?.unset(index)
      this.#picker.release(index, p.id)
      this.#refillAll()
      return
    }
    const expected = pieceLength(file.info.manifest, index)
    if (msg.length !== expected || msg.length > MAX_PIECE_BYTES) {
      throw new ProtocolError(`Piece ${index} announced ${msg.length} bytes, expected ${expected}`)
    }
    const data = await reader.readExactlyList(msg.length, AbortSignal.timeout(timeout))
    this.#measure(p, data.byteLength)
    if (this.#picker.done(index) || this.#finished) return // an endgame duplicate
    if (!verifyPiece(file.info.manifest, index, data)) {
      this.#picker.release(index, p.id)
      this.#init.onProgress?.({ type: 'transfer:bad-piece', provider: p.id, index })
      throw new BadPieceError(`Piece ${index} from ${p.id} failed verification`)
    }
    const others = this.#picker.completed(index)
    // write in the background (reading the next piece meanwhile), a few at a time
    const write: Promise<void> = file.writePiece(index, data).then(
      () => {
        this.#writes.delete(write)
        this.#bytes[p.id] = (this.#bytes[p.id] ?? 0) + data.byteLength
        this.#init.onProgress?.({ type: 'transfer:piece-verified', provider: p.id, index, bytes: data.byteLength })
      },
      (err: Error) => {
        this.#writes.delete(write)
        this.#end(err)
      })
    this.#writes.add(write)
    if (this.#writes.size >= MAX_PENDING_WRITES) await Promise.race(this.#writes)
    for (const other of others) {
      const o = this.#providers.get(other)
      if (o == null || o === p) continue
      const j = o.inflight.indexOf(index)
      if (j >= 0) {
        o.inflight.splice(j, 1)
        o.cancelled.add(index)
        void this.#write(o, { ticket: new Uint8Array(0), want: [], cancel: [index] })
      }
    }
    if (this.#picker.complete) {
      await Promise.all(this.#writes)
      this.#end()
    }
  }
}

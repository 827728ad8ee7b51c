import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { AnnounceRequest, announce, requestTicket } from '../protocols/index.js'
import { DownloadSession } from '../session/index.js'
import { readRange } from '../streaming/index.js'
import { decodeTicket } from '../tickets/index.js'
import type { Host } from '../host/index.js'
import type { QueuePosition } from '../protocols/index.js'
import type { DownloadEvent, DownloadResult, ProviderInfo } from '../session/index.js'
import type { StoredFile } from '../store/index.js'
import type { Ticket } from '../tickets/index.js'
import type { Logger, PeerId } from '@libp2p/interface'

/** Progress of one download. */
export type PeerDownloadEvent =
  | { type: 'queue:position', position: QueuePosition }
  | { type: 'queue:granted', ticket: Ticket }
  | { type: 'download:start', total: number, have: number }
  | DownloadEvent

/** What a download returns. */
export interface PeerDownloadResult {
  file: StoredFile
  /** undefined when the file was already complete in the store. */
  transfer?: DownloadResult
  bytesFromTracker: number
  bytesFromPeers: number
}

/** Where a fetch is. */
export interface FetchState {
  phase: 'queued' | 'downloading' | 'complete' | 'failed'
  position?: QueuePosition
  error?: string
}

/** What a {@link Fetch} needs from its peer. */
export interface FetchContext {
  host: Host
  tracker: PeerId
  /** The peer serves pieces to others (and so reports what it holds). */
  sharing: boolean
  swarmIntervalMs: number
  log: Logger
  requestId?: string
  signal?: AbortSignal
}

/** Pieces ahead of each reader fetched first, at least. */
const MIN_LOOKAHEAD_PIECES = 4
/** ...covering about this many bytes. */
const LOOKAHEAD_BYTES = 8 * 1024 * 1024
/** How long a waiting fetch keeps trying to reach a tracker that went away. */
const QUEUE_RETRY_LIMIT_MS = 5 * 60_000
/** Most piece ranges one announcement carries (a hint; bitfields on the wire are exact). */
const MAX_ANNOUNCED_RANGES = 4096

/**
 * One file being fetched: its place in the queue, then the download session, and any
 * number of streaming readers whose positions decide which pieces come first.
 */
export class Fetch {
  readonly file: StoredFile
  readonly result: Promise<PeerDownloadResult>
  readonly #ctx: FetchContext
  readonly #listeners = new Set<(event: PeerDownloadEvent) => void>()
  readonly #focus = new Map<number, number>()
  #nextReader = 0
  #session?: DownloadSession
  #state: FetchState

  constructor (ctx: FetchContext, file: StoredFile) {
    this.#ctx = ctx
    this.file = file
    this.#state = { phase: file.complete ? 'complete' : 'queued' }
    this.result = file.complete ? Promise.resolve({ file, bytesFromTracker: 0, bytesFromPeers: 0 }) : this.#run()
    this.result.then(
      () => { this.#state = { phase: 'complete' } },
      (err: Error) => { this.#state = { phase: 'failed', error: err.message } }
    )
  }

  get state (): FetchState { return { ...this.#state } }

  /** Subscribes to progress; returns the unsubscribe function. */
  onProgress (listener: (event: PeerDownloadEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #emit (event: PeerDownloadEvent): void {
    if (event.type === 'queue:position') this.#state = { phase: 'queued', position: event.position }
    if (event.type === 'queue:granted') this.#state = { phase: 'downloading' }
    for (const l of this.#listeners) l(event)
  }

  /**
   * Streams bytes [start, end) as they are verified; the pieces just ahead of this reader
   * jump the download's queue while it reads.
   */
  read (start: number, end: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const id = this.#nextReader++
    return readRange(this.file, start, end, {
      signal,
      onFocus: (piece) => {
        if (piece == null) this.#focus.delete(id)
        else if (this.#focus.get(id) === piece) return
        else this.#focus.set(id, piece)
        this.#prioritise()
      }
    })
  }

  /** Pieces just ahead of every reader, nearest first, round-robin across readers. */
  #urgent (): number[] {
    const { pieceSize } = this.file.info.manifest
    const ahead = Math.max(MIN_LOOKAHEAD_PIECES, Math.ceil(LOOKAHEAD_BYTES / pieceSize))
    const out: number[] = []
    const seen = new Set<number>()
    for (let k = 0; k < ahead; k++) {
      for (const start of this.#focus.values()) {
        const i = start + k
        if (i < this.file.info.pieceCount && !this.file.has(i) && !seen.has(i)) { seen.add(i); out.push(i) }
      }
    }
    return out
  }

  #prioritise (): void {
    this.#session?.setUrgent(this.#urgent())
  }

  /**
   * Waits in the tracker's queue for a ticket. When the tracker goes away meanwhile (a
   * restart), asks again with the same requestId, with backoff: the tracker keeps the place.
   */
  async #queue (): Promise<Ticket> {
    const { host, tracker, signal } = this.#ctx
    const requestId = this.#ctx.requestId ?? randomUUID()
    const started = Date.now()
    for (let attempt = 0; ; attempt++) {
      try {
        return await requestTicket(host, tracker, {
          cid: this.file.info.cid,
          requestId,
          signal,
          onPosition: (position) => { this.#emit({ type: 'queue:position', position }) }
        })
      } catch (err) {
        const e = err as Error
        if (signal?.aborted === true || e.name === 'QueueRefusedError' || e.name === 'InvalidTicketError' || Date.now() - started > QUEUE_RETRY_LIMIT_MS) throw err
        const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2)
        this.#ctx.log('queue stream lost (%s); asking again in %d ms', e.message, Math.round(delay))
        await sleep(delay, undefined, { signal })
      }
    }
  }

  async #run (): Promise<PeerDownloadResult> {
    const { host, tracker, log, signal } = this.#ctx
    const { file } = this
    const cid = file.info.cid
    let ticket = await this.#queue()
    this.#emit({ type: 'queue:granted', ticket })
    this.#emit({ type: 'download:start', total: file.info.manifest.size, have: file.bytesHave })
    const session = new DownloadSession({
      host,
      file,
      ticket,
      providers: providersOf(ticket),
      fallbackProvider: tracker.toString(),
      logger: host.logger,
      onProgress: (e) => { this.#emit(e) },
      signal
    })
    this.#session = session
    this.#prioritise()
    // while the transfer runs: tell the tracker what we hold (so it names us to others),
    // renew the ticket, and connect to the providers it names that we do not know yet
    const swarm = setInterval(() => {
      announce(host, tracker, {
        type: AnnounceRequest.Type.RENEW,
        cid: new Uint8Array(cid.bytes),
        ticketId: ticket.ticketId,
        ...(this.#ctx.sharing ? holdingOf(file) : {})
      }).then(res => {
        ticket = decodeTicket(res.ticket)
        session.updateTicket(ticket)
        for (const p of providersOf(ticket)) session.addProvider(p)
      }).catch(err => { log.error('ticket renewal failed - %e', err) })
    }, this.#ctx.swarmIntervalMs)
    swarm.unref()
    let result: DownloadResult | undefined
    try {
      result = await session.run()
      if (this.#ctx.sharing) {
        await announce(host, tracker, { type: AnnounceRequest.Type.HAVE, cid: new Uint8Array(cid.bytes), ...holdingOf(file) })
          .catch(err => { log.error('could not announce %s - %e', file.cid, err) })
      }
    } finally {
      clearInterval(swarm)
      this.#session = undefined
      const bytes = splitBytes(result, tracker.toString())
      await announce(host, tracker, {
        type: AnnounceRequest.Type.DONE,
        cid: new Uint8Array(cid.bytes),
        ticketId: ticket.ticketId,
        success: result != null,
        bytesFromTracker: bytes.fromTracker,
        bytesFromPeers: bytes.fromPeers
      }).catch(err => { log.error('could not report done - %e', err) })
    }
    const { fromTracker, fromPeers } = splitBytes(result, tracker.toString())
    return { file, transfer: result, bytesFromTracker: fromTracker, bytesFromPeers: fromPeers }
  }
}

/** The providers a ticket names, with their addresses. */
export function providersOf (ticket: Ticket): ProviderInfo[] {
  return ticket.providers.map(p => ({
    peerId: p.peerId,
    multiaddrs: p.multiaddrs.flatMap(bytes => {
      try { return [multiaddr(bytes)] } catch { return [] }
    })
  }))
}

/** What a stored file holds, as an announcement says it. */
export function holdingOf (file: StoredFile): { complete: boolean, ranges: Array<{ start: number, end: number }> } {
  return file.complete ? { complete: true, ranges: [] } : { complete: false, ranges: file.bitfield.ranges().slice(0, MAX_ANNOUNCED_RANGES) }
}

function splitBytes (result: DownloadResult | undefined, tracker: string): { fromTracker: number, fromPeers: number } {
  let fromTracker = 0
  let fromPeers = 0
  for (const [id, n] of Object.entries(result?.bytesByProvider ?? {})) {
    if (id === tracker) fromTracker += n
    else fromPeers += n
  }
  return { fromTracker, fromPeers }
}

import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { selfReachability } from '../host/index.js'
import { AnnounceRequest, announce, report, requestTicket } from '../protocols/index.js'
import { DownloadSession } from '../session/index.js'
import { readRange } from '../streaming/index.js'
import { decodeTicket } from '../tickets/index.js'
import type { Host } from '../host/index.js'
import type { QueuePosition } from '../protocols/index.js'
import type { DownloadEvent, DownloadResult, DownloadSessionInit, ProviderInfo } from '../session/index.js'
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
  /** Bytes received for pieces already verified (endgame duplicates). */
  bytesDuplicate: number
}

/** Where a fetch is. */
export interface FetchState {
  phase: 'queued' | 'downloading' | 'complete' | 'failed'
  position?: QueuePosition
  error?: string
}

/** Session options a fetch passes through (tests shorten the timeouts). */
export type SessionTuning = Pick<DownloadSessionInit, 'pieceTimeoutMs' | 'stallMs' | 'noProviderGraceMs' | 'pipelineBytes' | 'downloadLimiter' | 'dialGraceMs'>

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
  session?: SessionTuning
}

/** Pieces ahead of each reader fetched first, at least. */
const MIN_LOOKAHEAD_PIECES = 4
/** ...covering about this many bytes. */
const LOOKAHEAD_BYTES = 8 * 1024 * 1024
/** How long a waiting fetch keeps trying to reach a tracker that went away. */
const QUEUE_RETRY_LIMIT_MS = 5 * 60_000
/** Most piece ranges one announcement carries (a hint; bitfields on the wire are exact). */
const MAX_ANNOUNCED_RANGES = 4096
/** Renewals slow down to this many swarm intervals while they name no new provider. */
const RENEWAL_BACKOFF = 4
/** DONE is sent this many times at most (it releases the slot). */
const DONE_ATTEMPTS = 3

/**
 * One file being fetched: its place in the queue, then the download session, and any
 * number of streaming readers whose positions decide which pieces come first. Every
 * subscriber gets the progress events, late ones the current state first.
 */
export class Fetch {
  readonly file: StoredFile
  readonly result: Promise<PeerDownloadResult>
  /** The queue request id: asking again with it keeps the place. */
  readonly requestId: string
  readonly #ctx: FetchContext
  readonly #listeners = new Set<(event: PeerDownloadEvent) => void>()
  readonly #focus = new Map<number, number>()
  /** Aborted with the fetch's error when it fails: readers end with it. */
  readonly #failed = new AbortController()
  #nextReader = 0
  #session?: DownloadSession
  #state: FetchState
  /** The events a late subscriber is told first. */
  #granted?: Extract<PeerDownloadEvent, { type: 'queue:granted' }>
  #started?: Extract<PeerDownloadEvent, { type: 'download:start' }>

  constructor (ctx: FetchContext, file: StoredFile) {
    this.#ctx = ctx
    this.file = file
    this.requestId = ctx.requestId ?? randomUUID()
    this.#state = { phase: file.complete ? 'complete' : 'queued' }
    this.result = file.complete ? Promise.resolve({ file, bytesFromTracker: 0, bytesFromPeers: 0, bytesDuplicate: 0 }) : this.#run()
    this.result.then(
      () => { this.#state = { phase: 'complete' } },
      (err: Error) => {
        this.#state = { phase: 'failed', error: err.message }
        this.#failed.abort(err)
      }
    )
  }

  get state (): FetchState { return { ...this.#state } }

  /** Subscribes to progress (a late subscriber is told the current state first); returns the unsubscribe function. */
  onProgress (listener: (event: PeerDownloadEvent) => void): () => void {
    this.#listeners.add(listener)
    const position = this.#state.position
    if (this.#state.phase === 'queued' && position != null) listener({ type: 'queue:position', position })
    if (this.#granted != null) listener(this.#granted)
    if (this.#started != null) listener({ ...this.#started, have: this.file.bytesHave })
    return () => this.#listeners.delete(listener)
  }

  #emit (event: PeerDownloadEvent): void {
    if (event.type === 'queue:position') this.#state = { phase: 'queued', position: event.position }
    if (event.type === 'queue:granted') { this.#state = { phase: 'downloading' }; this.#granted = event }
    if (event.type === 'download:start') this.#started = event
    for (const l of this.#listeners) l(event)
  }

  /**
   * Streams bytes [start, end) as they are verified; the pieces just ahead of this reader
   * jump the download's queue while it reads. When the fetch fails, a reader waiting for a
   * piece ends with the fetch's error.
   */
  read (start: number, end: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const id = this.#nextReader++
    return readRange(this.file, start, end, {
      signal: signal == null ? this.#failed.signal : AbortSignal.any([signal, this.#failed.signal]),
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
    const started = Date.now()
    for (let attempt = 0; ; attempt++) {
      try {
        return await requestTicket(host, tracker, {
          cid: this.file.info.cid,
          requestId: this.requestId,
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

  /** Fire and forget: tells the tracker about a provider the session banned. */
  #report (event: PeerDownloadEvent): void {
    if (event.type !== 'transfer:provider-banned') return
    const { host, tracker, log } = this.#ctx
    report(host, tracker, { cid: this.file.info.cid, provider: event.provider, reason: event.reason })
      .catch(err => { log('could not report %s - %e', event.provider, err) })
  }

  async #run (): Promise<PeerDownloadResult> {
    const { host, tracker, log, signal } = this.#ctx
    const { file } = this
    const ticket = await this.#queue()
    this.#emit({ type: 'queue:granted', ticket })
    this.#emit({ type: 'download:start', total: file.info.manifest.size, have: file.bytesHave })
    const session = new DownloadSession({
      ...this.#ctx.session,
      host,
      file,
      ticket,
      providers: providersOf(ticket),
      fallbackProvider: tracker.toString(),
      logger: host.logger,
      onProgress: (e) => { this.#report(e); this.#emit(e) },
      signal
    })
    this.#session = session
    this.#prioritise()
    const renewals = new RenewalLoop(this, session, ticket)
    let result: DownloadResult | undefined
    try {
      result = await session.run()
      if (this.#ctx.sharing) {
        await announce(host, tracker, { type: AnnounceRequest.Type.HAVE, cid: new Uint8Array(file.info.cid.bytes), ...holdingOf(file), reachability: selfReachability(host.services) ?? 'none' })
          .catch(err => { log.error('could not announce %s - %e', file.cid, err) })
      }
    } finally {
      await renewals.stop()
      this.#session = undefined
      await this.#done(renewals.ticket, result)
    }
    const { fromTracker, fromPeers } = splitBytes(result, tracker.toString())
    return { file, transfer: result, bytesFromTracker: fromTracker, bytesFromPeers: fromPeers, bytesDuplicate: result?.duplicateBytes ?? 0 }
  }

  /** Sends DONE (it releases the slot), a few times if it fails. */
  async #done (ticket: Ticket, result: DownloadResult | undefined): Promise<void> {
    const { host, tracker, log } = this.#ctx
    const bytes = splitBytes(result, tracker.toString())
    for (let attempt = 1; attempt <= DONE_ATTEMPTS; attempt++) {
      try {
        await announce(host, tracker, {
          type: AnnounceRequest.Type.DONE,
          cid: new Uint8Array(this.file.info.cid.bytes),
          requestId: this.requestId,
          ticketId: ticket.ticketId,
          success: result != null,
          bytesFromTracker: bytes.fromTracker,
          bytesFromPeers: bytes.fromPeers
        }, AbortSignal.timeout(10_000))
        return
      } catch (err) {
        log.error('could not report done (attempt %d of %d) - %e', attempt, DONE_ATTEMPTS, err)
        if (attempt < DONE_ATTEMPTS) await sleep(500 * attempt)
      }
    }
  }

  /** One RENEW: the exact bitfield held, the request id; returns the renewed ticket. */
  async renew (ticket: Ticket, signal: AbortSignal): Promise<Ticket> {
    const { host, tracker } = this.#ctx
    const res = await announce(host, tracker, {
      type: AnnounceRequest.Type.RENEW,
      cid: new Uint8Array(this.file.info.cid.bytes),
      requestId: this.requestId,
      ticketId: ticket.ticketId,
      bitfield: new Uint8Array(this.file.bitfield.bytes),
      reachability: selfReachability(host.services) ?? 'none',
      // old trackers name peers from these: only a sharing peer sends them
      ...(this.#ctx.sharing ? holdingOf(this.file) : {})
    }, signal)
    return decodeTicket(res.ticket)
  }

  /** Asks the queue again with the same request id (the grant was lost); resolves with the new ticket. */
  async requeue (signal: AbortSignal): Promise<Ticket> {
    const { host, tracker } = this.#ctx
    return requestTicket(host, tracker, {
      cid: this.file.info.cid,
      requestId: this.requestId,
      signal: this.#ctx.signal == null ? signal : AbortSignal.any([signal, this.#ctx.signal])
    })
  }

  get swarmIntervalMs (): number { return this.#ctx.swarmIntervalMs }
  get log (): Logger { return this.#ctx.log }
}

/**
 * Renews the ticket while the transfer runs, one renewal at a time (await the answer, then
 * wait the interval), so answers never overtake each other; each renewal reports the pieces
 * held and connects the session to the providers the new ticket names. The cadence slows
 * down while renewals name nobody new (the first ticket names the co-downloaders already).
 */
class RenewalLoop {
  ticket: Ticket
  readonly #stop = new AbortController()
  readonly #loop: Promise<void>

  constructor (fetch: Fetch, session: DownloadSession, ticket: Ticket) {
    this.ticket = ticket
    this.#loop = this.#run(fetch, session)
  }

  async #run (fetch: Fetch, session: DownloadSession): Promise<void> {
    const signal = this.#stop.signal
    let interval = fetch.swarmIntervalMs
    let wait = sleep(interval, undefined, { signal })
    while (!signal.aborted) {
      try {
        await wait
        const named = namedPeers(this.ticket)
        this.ticket = await this.#renewOrRequeue(fetch, signal)
        // while renewals name no new provider the cadence slows down (up to 4x, and to a quarter
        // of the ticket's remaining life at most); a new provider resets it
        const news = [...namedPeers(this.ticket)].some(p => !named.has(p))
        const base = fetch.swarmIntervalMs
        interval = news ? base : Math.min(interval * 2, RENEWAL_BACKOFF * base, Math.max(base, (this.ticket.expiresAt - Date.now()) / 4))
        // the next one starts an interval after this one started (a slow answer does not stretch the cadence)
        wait = sleep(interval, undefined, { signal })
        wait.catch(() => {})
        session.updateTicket(this.ticket)
        for (const p of providersOf(this.ticket)) session.addProvider(p)
      } catch (err) {
        if (!signal.aborted) fetch.log.error('ticket renewal failed - %e', err)
        wait = sleep(interval, undefined, { signal })
        wait.catch(() => {})
      }
    }
  }

  /** A renewal; when the tracker no longer knows the grant (its lease ran out), a place in the queue again, same request id. */
  async #renewOrRequeue (fetch: Fetch, signal: AbortSignal): Promise<Ticket> {
    try {
      return await fetch.renew(this.ticket, signal)
    } catch (err) {
      if ((err as Error).name !== 'AnnounceRefusedError') throw err
      fetch.log('renewal refused (%s); asking the queue again', (err as Error).message)
      return fetch.requeue(signal)
    }
  }

  /** Ends the loop, waiting for a renewal in flight (aborted). */
  async stop (): Promise<void> {
    this.#stop.abort()
    await this.#loop
  }
}

/** The PeerIds a ticket names. */
function namedPeers (ticket: Ticket): Set<string> {
  return new Set(ticket.providers.map(p => p.peerId))
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

/** What a stored file holds, as an announcement says it (ranges as a hint, and the exact bitfield). */
export function holdingOf (file: StoredFile): { complete: boolean, ranges: Array<{ start: number, end: number }>, bitfield: Uint8Array<ArrayBuffer> } {
  const bitfield = new Uint8Array(file.bitfield.bytes)
  return file.complete ? { complete: true, ranges: [], bitfield } : { complete: false, ranges: file.bitfield.ranges().slice(0, MAX_ANNOUNCED_RANGES), bitfield }
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

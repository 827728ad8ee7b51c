import { NoProvidersError, ProtocolError, ProviderRefusedError } from '../errors.js'
import { pieceLength } from '../manifest/index.js'
import { MAX_PIECE_BYTES, MAX_TRANSFER_FRAME_BYTES, PIECE_TIMEOUT_MS } from '../protocols/constants.js'
import { TransferRequest, TransferResponse } from '../protocols/transfer/pb/transfer.js'
import { readMessage, writeMessage } from '../streams/index.js'
import { Availability } from './availability.js'
import { ProviderLiedError, ProviderStalledError, banReason } from './errors.js'
import { abortStalled, newlyWeak, weaken } from './stall-watchdog.js'
import { FallbackPolicy } from './fallback-policy.js'
import { PiecePicker } from './piece-picker.js'
import { PieceWrites } from './piece-writes.js'
import { newlyUrgent, preemptForUrgent } from './preempt.js'
import { MIN_PIPELINE, ProviderState } from './provider-state.js'
import { NOT_HERE_TOLERANCE, NO_PROVIDER_GRACE_MS, SESSION_STALL_MS } from './session-types.js'
import type { BanReason } from './errors.js'
import type { DownloadResult, DownloadSessionInit, ProviderInfo } from './session-types.js'
import type { StreamReader } from '../streams/index.js'
import type { Ticket } from '../tickets/index.js'
import type { Logger } from '@libp2p/interface'

export { NOT_HERE_TOLERANCE, NO_PROVIDER_GRACE_MS, SESSION_STALL_MS }
export type { DownloadEvent, DownloadResult, DownloadSessionInit, ProviderInfo } from './session-types.js'

/**
 * Downloads one file from every provider of a ticket at once: a bounded pipeline of piece
 * requests per provider, rarest-first picks from one {@link Availability} model, an endgame
 * for the last pieces, every piece verified against the manifest before it is written.
 * One watchdog timer per session bans providers that stall (before or inside a piece) and,
 * when no piece was verified for a while, hands the pieces that are not progressing to the
 * fallback. Providers that send a bad piece, stall or lie are banned for the session.
 */
export class DownloadSession {
  readonly #init: DownloadSessionInit
  readonly #log: Logger
  readonly #availability: Availability
  readonly #picker: PiecePicker
  /** Verifies and writes received pieces, a few at a time in the background. */
  readonly #writes: PieceWrites<ProviderState>
  readonly #fallback: FallbackPolicy
  readonly #providers = new Map<string, ProviderState>()
  readonly #dropped: Record<string, string> = {}
  readonly #banned = new Map<string, BanReason>()
  /** Providers that delivered nothing for the stall time while asked (see ProviderState.weak). */
  readonly #weak = new Set<string>()
  readonly #maxInflight: number
  readonly #pieceTimeoutMs: number
  readonly #stallMs: number
  #ticket: Ticket
  #finish?: { resolve: () => void, reject: (err: Error) => void }
  #finished = false
  #watchdog?: NodeJS.Timeout
  #lastVerified = Date.now()
  /** When a piece was last verified (the watchdog's rounds move #lastVerified on). */
  #lastStored = Date.now()
  #lastConnected = Date.now()

  constructor (init: DownloadSessionInit) {
    this.#init = init
    this.#log = init.logger.forComponent('mediaswarm:session')
    this.#ticket = init.ticket
    this.#availability = new Availability(init.file.info.pieceCount)
    this.#picker = new PiecePicker(init.file.bitfield, this.#availability)
    this.#writes = new PieceWrites<ProviderState>({
      manifest: init.file.info.manifest,
      picker: this.#picker,
      writePiece: async (index, bytes) => { await init.file.writePiece(index, bytes) },
      finished: () => this.#finished,
      verified: (from, index, askedOf) => { this.#verified(from, index, askedOf) },
      done: () => { this.#end() },
      failed: (err) => { this.#end(err) },
      onProgress: init.onProgress
    })
    const pieceSize = init.file.info.manifest.pieceSize
    this.#maxInflight = Math.max(MIN_PIPELINE, Math.min(256, Math.floor((init.pipelineBytes ?? 8 * 1024 * 1024) / pieceSize)))
    this.#pieceTimeoutMs = init.pieceTimeoutMs ?? PIECE_TIMEOUT_MS
    this.#stallMs = init.stallMs ?? SESSION_STALL_MS
    const providers = this.#providers
    this.#fallback = new FallbackPolicy(init.fallbackProvider, init.host.peerId.toString(), init.file.info.pieceCount, this.#stallMs, {
      providers,
      picker: this.#picker,
      availability: this.#availability,
      weak: this.#weak,
      banned: this.#banned,
      addProvider: (info) => { this.addProvider(info) },
      refillAll: () => { this.#refillAll() },
      cancel: (p, index) => { this.#cancel(p, index) }
    })
  }

  /** Runs until every piece is stored; rejects with NoProvidersError when no provider was left for the grace time. */
  async run (): Promise<DownloadResult> {
    if (!this.#picker.complete) {
      const done = new Promise<void>((resolve, reject) => { this.#finish = { resolve, reject } })
      const onAbort = (): void => { this.#end(this.#init.signal?.reason ?? new Error('Aborted')) }
      this.#init.signal?.addEventListener('abort', onAbort, { once: true })
      const tick = Math.max(25, Math.min(1000, Math.min(this.#stallMs, this.#pieceTimeoutMs) / 4))
      this.#watchdog = setInterval(() => { this.#tick() }, tick)
      this.#watchdog.unref()
      this.#lastVerified = this.#lastStored = this.#lastConnected = Date.now()
      // our server skips HAVEs for pieces a provider told us it holds
      const availability = this.#availability
      const knows = (peer: string, index: number): boolean => availability.has(peer, index)
      this.#init.file.setPeerKnowledge(knows)
      // the first ticket's peers were granted before us (their tickets did not name us): dial them at once
      for (const p of this.#init.providers) this.addProvider(p, true)
      if (this.#providers.size === 0) this.#end(new NoProvidersError('The ticket names no provider'))
      try {
        await done
      } finally {
        this.#init.signal?.removeEventListener('abort', onAbort)
        this.#init.file.clearPeerKnowledge(knows)
        for (const p of this.#providers.values()) {
          p.abort.abort(new Error('Download session ended'))
          p.stream?.abort(new Error('Download session ended'))
        }
      }
    }
    await this.#init.file.flush()
    return {
      bytesByProvider: { ...this.#writes.bytesByProvider },
      dropped: { ...this.#dropped },
      banned: Object.fromEntries(this.#banned),
      duplicateBytes: this.#writes.duplicateBytes,
      fallbackCancels: this.#fallback.cancels,
      substitutes: this.#fallback.substitutes
    }
  }

  /**
   * Adds a provider (from a renewed ticket) while running; one that failed for a reason
   * other than a ban may be added again later. `dialAtOnce`: skip the dial tie-break (the
   * peer does not know of us, so it is not dialling us; see dial-tiebreak.ts).
   */
  addProvider (info: ProviderInfo, dialAtOnce = false): void {
    this.#fallback.named(info.peerId)
    if (this.#finished || this.#providers.has(info.peerId) || this.#banned.has(info.peerId) || info.peerId === this.#init.host.peerId.toString()) return
    const state = new ProviderState(info, Math.min(4, this.#maxInflight), !dialAtOnce)
    this.#providers.set(info.peerId, state)
    this.#runProvider(state)
      .catch((err: Error) => { this.#failed(state, err) })
      .finally(() => {
        state.abort.abort(new Error('Provider stream ended'))
        this.#availability.remove(state.id)
        for (const i of state.inflight) this.#picker.release(i, state.id)
        state.inflight = []
        this.#weak.delete(state.id)
        this.#providers.delete(state.id)
        if (this.#finished) return
        if (this.#fallback.is(state.id)) this.#fallback.dropped(info)
        else this.#fallback.ended(state.id, state.connected)
        this.#refillAll()
      })
  }

  #failed (p: ProviderState, err: Error): void {
    p.stream?.abort(err)
    if (this.#finished) return
    this.#dropped[p.id] = err.message
    this.#log('provider %s dropped - %s', p.id, err.message)
    this.#init.onProgress?.({ type: 'transfer:provider-dropped', provider: p.id, reason: err.message })
    const reason = banReason(err)
    // the tracker is never banned: it may restart, and it is the provider of last resort
    if (reason == null || this.#fallback.is(p.id)) return
    this.#banned.set(p.id, reason)
    this.#fallback.banned()
    this.#init.onProgress?.({ type: 'transfer:provider-banned', provider: p.id, reason, message: err.message })
  }

  /** Presents a renewed ticket to the tracker, and to a peer once its copy is half expired. */
  updateTicket (ticket: Ticket): void {
    this.#ticket = ticket
    const now = Date.now()
    for (const p of this.#providers.values()) {
      if (p.stream == null) continue
      // the tracker honours only a request's two newest tickets; a peer checks the expiry
      // only, so it is sent a new one once half the lease is gone (not every second)
      if (!this.#fallback.is(p.id) && p.ticketExpiresAt - now > (ticket.expiresAt - now) / 2) continue
      p.ticketExpiresAt = ticket.expiresAt
      void this.#write(p, { ticket: ticket.bytes, want: [], cancel: [], alternatives: [], urgent: [] })
    }
  }

  /**
   * Marks pieces to fetch first (streaming; see PiecePicker.setUrgent). A provider already
   * asked for a piece that became urgent is told so (a request naming it urgent): the
   * tracker would otherwise serve it after every piece it never sent (super-seeding).
   */
  setUrgent (pieces: number[]): void {
    const before = new Set(this.#picker.urgentAmong(pieces)) // those of them urgent already
    this.#picker.setUrgent(pieces)
    preemptForUrgent(pieces, this.#providers.values(), {
      has: (i) => this.#init.file.has(i),
      asked: (i) => this.#picker.requestedFrom(i).size > 0,
      holds: (p, i) => this.#availability.bitsOf(p.id)?.has(i) === true,
      cancel: (p, i) => { this.#cancel(p, i) }
    })
    const now = this.#picker.urgentAmong(pieces)
    for (const p of this.#providers.values()) {
      if (p.stream == null || newlyUrgent(p.inflight, before, now).length === 0) continue
      void this.#write(p, { ticket: new Uint8Array(0), want: [], cancel: [], alternatives: [], urgent: this.#picker.urgentAmong(p.inflight) })
    }
    this.#refillAll()
  }

  #end (err?: Error): void {
    if (this.#finished) return
    if (err == null) {
      // providers the watchdog found stalling that delivered nothing since are stallers too
      for (const p of this.#providers.values()) {
        if (p.weak) this.#failed(p, new ProviderStalledError(`Provider delivered nothing for ${Date.now() - p.lastProgress} ms up to the end`))
      }
    }
    this.#finished = true
    clearInterval(this.#watchdog)
    this.#fallback.stop()
    if (err == null) this.#finish?.resolve()
    else this.#finish?.reject(err)
  }

  /**
   * The session's one timer: bans providers that owe a piece for longer than the piece
   * timeout, ends the session when no provider was connected for the grace time, and when
   * no piece was verified for the stall time releases the requests of providers that
   * delivered nothing, so the fallback (and others) can take those pieces.
   */
  #tick (): void {
    const now = Date.now()
    if (abortStalled(this.#providers.values(), now, this.#pieceTimeoutMs, this.#stallMs)) this.#lastConnected = now
    else if (now - this.#lastConnected > (this.#init.noProviderGraceMs ?? NO_PROVIDER_GRACE_MS)) {
      this.#end(new NoProvidersError(`No provider could serve the remaining ${this.#picker.missing} pieces`))
      return
    }
    if (now - this.#lastVerified <= this.#stallMs) return
    const weak = newlyWeak(this.#providers.values(), now, this.#stallMs, (id) => this.#fallback.is(id))
    for (const p of weak) this.#weak.add(p.id)
    weaken(weak, this.#picker, now, this.#log, (p, cancel) => { void this.#write(p, { ticket: new Uint8Array(0), want: [], cancel, alternatives: [], urgent: [] }) })
    // the next round only after another stall time (each provider is checked once its own time is up)
    if (weak.length > 0) this.#lastVerified = now
    this.#refillAll()
  }

  async #write (p: ProviderState, msg: TransferRequest): Promise<void> {
    try {
      if (p.stream != null) await writeMessage(p.stream, msg, TransferRequest)
    } catch (err) {
      p.stream?.abort(err as Error)
    }
  }

  /** Takes `index` back from `p`: no longer in flight there, a CANCEL on the wire (the piece may still come). */
  #cancel (p: ProviderState, index: number): void {
    const at = p.inflight.indexOf(index)
    if (at < 0) return
    p.inflight.splice(at, 1)
    p.cancelled.add(index)
    this.#picker.release(index, p.id)
    void this.#write(p, { ticket: new Uint8Array(0), want: [], cancel: [index], alternatives: [], urgent: [] })
  }

  #refillAll (): void {
    for (const p of this.#providers.values()) this.#refill(p)
  }

  #refill (p: ProviderState): void {
    if (!p.connected || p.stream == null || this.#finished) return
    const room = p.room
    if (room <= 0 || (!p.weak && room < Math.max(1, p.window / 4))) return // batch requests
    const fallback = this.#fallback.is(p.id)
    // while named peers connect (they may hold pieces), the tracker gets one request, so its upload does not idle
    const max = fallback && this.#fallback.peersConnecting() ? 1 - p.inflight.length : room
    if (max <= 0) return
    const picks = fallback ? this.#fallback.pick(max, Date.now() - this.#lastStored) : this.#picker.pick(p.id, max)
    if (picks.length === 0) return
    // the piece timeout runs from the first request after an idle spell (never restarted for a weak provider)
    if (!p.waiting && !p.weak) p.lastProgress = Date.now()
    p.inflight.push(...picks)
    // a request with wants replaces the provider's urgent marks: name every urgent piece owed
    const urgent = this.#picker.urgentAmong(p.inflight)
    void this.#write(p, { ticket: new Uint8Array(0), want: picks, cancel: [], alternatives: fallback ? this.#fallback.offer(p) : [], urgent })
  }

  async #runProvider (p: ProviderState): Promise<void> {
    const fallback = this.#fallback.is(p.id)
    const { reader, bits } = await p.open(this.#init.host, this.#ticket, this.#init.file.info.pieceCount, !fallback && p.tieBreak, this.#init.dialGraceMs)
    this.#availability.add(p.id, bits, !fallback)
    p.connected = true
    if (fallback) this.#fallback.connected()
    else if (bits.complete) this.#fallback.complete(p.id)
    else this.#fallback.reached(p.id)
    this.#init.onProgress?.({ type: 'transfer:provider-connected', provider: p.id, pieces: this.#availability.bitsOf(p.id)?.count ?? 0 })
    // the fallback may have been waiting for this bitfield
    this.#refillAll()
    const signal = p.abort.signal
    while (!this.#finished) {
      signal.throwIfAborted() // a bad piece found by the background verification
      const msg = await readMessage(reader, TransferResponse, MAX_TRANSFER_FRAME_BYTES, signal)
      if (msg == null) {
        if (p.waiting) throw new ProtocolError('Provider closed the stream with pieces owed')
        throw new ProviderRefusedError('Provider closed the stream')
      }
      if (msg.type === TransferResponse.Type.HAVE) {
        this.#haves(p, msg)
      } else if (msg.type === TransferResponse.Type.PIECE) {
        await this.#receivePiece(p, reader, msg)
        // --max-download-rate: the next requests wait for the bytes just received
        if (msg.length > 0) await this.#init.downloadLimiter?.acquire(msg.length, signal)
      } else if (msg.type === TransferResponse.Type.REJECT) {
        throw new ProviderRefusedError(`Provider refused: ${msg.message}`)
      } else {
        throw new ProtocolError('Unexpected message from provider')
      }
      this.#refill(p)
    }
  }

  /** A HAVE: one piece (`index`) or several (`haves`, each checked); news may be requested at once. */
  #haves (p: ProviderState, msg: TransferResponse): void {
    const pieceCount = this.#init.file.info.pieceCount
    let news = false
    for (const index of msg.haves.length > 0 ? msg.haves : [msg.index]) {
      if (msg.haves.length > 0 && index >= pieceCount) throw new ProtocolError(`HAVE names piece ${index} of ${pieceCount}`)
      if (!this.#availability.have(p.id, index)) continue
      news = true
      this.#fallback.prefer(p, index)
    }
    if (!news) return
    if (this.#availability.bitsOf(p.id)?.complete === true) this.#fallback.complete(p.id)
    // only `p` can be asked for the news; of the others only the fallback's choice moves (the
    // pieces it may take shrink, and prefer() may have cancelled some of its requests)
    this.#refill(p)
    for (const q of this.#providers.values()) if (q !== p && this.#fallback.is(q.id)) this.#refill(q)
  }

  async #receivePiece (p: ProviderState, reader: StreamReader, msg: TransferResponse): Promise<void> {
    const { file } = this.#init
    const index = msg.index
    if (msg.replaces != null) {
      this.#fallback.substituted(p, index, msg.replaces, msg.length)
    } else {
      const at = p.inflight.indexOf(index)
      const wasCancelled = p.cancelled.delete(index)
      if (at < 0 && !wasCancelled) throw new ProviderLiedError(`Provider sent piece ${index}, which was not asked for`)
      if (at >= 0) p.inflight.splice(at, 1)
    }
    if (msg.length === 0) {
      // "not here": the provider does not have it (any more); it answered, so it is not stalled
      p.lastProgress = Date.now()
      this.#picker.release(index, p.id)
      if (this.#availability.notHere(p.id, index) && ++p.denied > NOT_HERE_TOLERANCE) {
        throw new ProviderLiedError(`Provider said "not here" for ${p.denied} pieces its bitfield claimed`)
      }
      this.#refillAll()
      return
    }
    const expected = pieceLength(file.info.manifest, index)
    if (msg.length !== expected || msg.length > MAX_PIECE_BYTES) {
      throw new ProtocolError(`Piece ${index} announced ${msg.length} bytes, expected ${expected}`)
    }
    p.inPiece = true
    p.current = index
    const data = await reader.readExactlyList(msg.length, p.abort.signal)
      .catch((err: Error) => {
        // no longer in flight anywhere: another provider (or the tracker) may take it
        this.#picker.release(index, p.id)
        if (err instanceof ProtocolError) throw err
        throw new ProtocolError(`Provider went away inside piece ${index}`, { cause: err })
      })
      .finally(() => { p.inPiece = false })
    p.lastProgress = Date.now()
    p.measure(data.byteLength, file.info.manifest.pieceSize, this.#maxInflight)
    // verify (off the event loop) and write in the background, reading the next piece meanwhile, a few at a time
    await this.#writes.add(p, index, data)
  }

  /** A piece from `p` was verified (and is being written): `p` delivers, the others asked for it are cancelled. */
  #verified (p: ProviderState, index: number, askedOf: string[]): void {
    p.weak = false
    this.#weak.delete(p.id)
    this.#lastVerified = this.#lastStored = Date.now()
    this.#cancelElsewhere(p, index, askedOf)
  }

  /** `index` arrived from `from`: cancel it at the other providers it was asked of (endgame). */
  #cancelElsewhere (from: ProviderState, index: number, askedOf: string[]): void {
    for (const other of askedOf) {
      const o = this.#providers.get(other)
      if (o != null && o !== from) this.#cancel(o, index)
    }
  }
}

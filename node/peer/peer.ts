import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { NotFoundError, TrackerUnreachableError } from '../errors.js'
import { createHost, loadOrCreateIdentity, selfReachability } from '../host/index.js'
import { quietLogger } from '../quiet-logger.js'
import { holePunch } from '../punch/index.js'
import { parseCid } from '../manifest/index.js'
import { announce, fetchManifest, fetchTrackerStatus, listAll, TransferServer, AnnounceRequest } from '../protocols/index.js'
import { PieceStore } from '../store/index.js'
import { Fetch, holdingOf } from './fetch.js'
import type { PeerDownloadEvent, PeerDownloadResult } from './fetch.js'
import type { Host } from '../host/index.js'
import type { HolePunchInit, PunchResult } from '../punch/index.js'
import type { MediaItem } from '../http/index.js'
import type { CatalogueItem, ServableFile, TrackerStatus } from '../protocols/index.js'
import type { StoredFile } from '../store/index.js'
import type { ComponentLogger, Logger, PeerId } from '@libp2p/interface'
import type { PeerInit, PunchStats, TrackerEvent } from './peer-types.js'

/** How long a catalogue listing is reused to look items up by cid. */
const CATALOGUE_CACHE_MS = 10_000

export type { PeerInit, PunchStats, TrackerEvent } from './peer-types.js'

/** Reconnection backoff: first delay, and the cap. */
const RECONNECT_FIRST_MS = 500
const RECONNECT_MAX_MS = 30_000

/** Options of {@link Peer.download}. */
export interface PeerDownloadOptions {
  onProgress?: (event: PeerDownloadEvent) => void
  signal?: AbortSignal
  /** Keep a place in the queue across reconnects. @default random */
  requestId?: string
  /** Download in place, beside this destination (see PieceStore.open). @default undefined (into the store) */
  saveAs?: string
}

/**
 * A mediaswarm peer: a libp2p host with a persistent identity, a piece store, a connection
 * to the tracker, and (when listening) a transfer server that reshares what it holds.
 */
export class Peer {
  readonly host: Host
  readonly store: PieceStore
  /** Hole punches so far. */
  punches: PunchStats = { succeeded: 0, failed: 0 }
  readonly #init: PeerInit
  readonly #log: Logger
  readonly #server: TransferServer
  #tracker?: PeerId
  readonly #fetches = new Map<string, Fetch>()
  /** Fetches being started (manifest, store): concurrent callers share one. */
  readonly #starting = new Map<string, Promise<Fetch>>()
  #stopping = false
  #connecting?: Promise<PeerId>
  #reconnecting = false
  #catalogue?: { items: CatalogueItem[], at: number }
  #uploaded = 0
  /** Stored files whose dropped pieces are told to the tracker (each watched once). */
  readonly #watched = new WeakSet<StoredFile>()
  /** Starts the reachability work held back by `deferReachability` (once; a no-op after). */
  #releaseReachability: () => void = () => {}

  private constructor (init: PeerInit, host: Host, logger: ComponentLogger) {
    this.#init = init
    this.host = host
    this.#log = logger.forComponent('mediaswarm:peer')
    this.store = new PieceStore({ dir: join(init.home, 'store'), logger })
    this.#server = new TransferServer({
      host,
      logger,
      limiter: init.limiter,
      uploadSlots: init.uploadSlots ?? 8,
      tracker: () => this.#tracker,
      source: { lookup: async (cid) => this.#servable(cid) },
      onServed: (e) => { this.#uploaded += e.bytes }
    })
  }

  /** Creates and starts a peer (does not contact the tracker yet). */
  static async create (init: PeerInit): Promise<Peer> {
    const logger = init.logger ?? quietLogger()
    const privateKey = await loadOrCreateIdentity(init.home)
    const reserveOn = (init.listen ?? []).length > 0 ? init.tracker.map(String).filter(a => a.includes('/p2p/') && !a.includes('/p2p-circuit')) : []
    const punches: PunchStats = { succeeded: 0, failed: 0 }
    const punch = init.holePunch === false ? undefined : holePunch({ ...init.holePunch, onResult: (r) => { countPunch(punches, r); (init.holePunch as HolePunchInit | undefined)?.onResult?.(r) } })
    const extraTransports = [...(punch == null ? [] : [punch]), ...(init.host?.extraTransports ?? [])]
    let release = (): void => {}
    const reachabilityAfter = init.deferReachability === true ? new Promise<void>(resolve => { release = resolve }) : undefined
    const host = await createHost({ privateKey, listen: init.listen ?? [], logger, psk: init.psk, allow: init.allow, reserveOn, reachabilityAfter, ...init.host, extraTransports })
    const peer = new Peer(init, host, logger)
    peer.#releaseReachability = release
    peer.punches = punches
    // the first relayed connection made direct changes what the tracker should say of us
    host.services.upgrades?.onUpgrade(() => { if (peer.sharing && peer.#tracker != null && host.services.upgrades?.upgraded === 1) peer.reshare().catch(() => {}) })
    if (peer.sharing) await peer.#server.start()
    return peer
  }

  /** True when this peer accepts connections and serves what it holds. */
  get sharing (): boolean {
    return (this.#init.listen ?? []).length > 0
  }

  /** Downloaders this peer is serving now. */
  get serving (): number {
    return this.#server.serving
  }

  /** Bytes served to other peers since this peer started. */
  get uploadedBytes (): number {
    return this.#uploaded
  }

  get peerId (): PeerId { return this.host.peerId }

  /** The tracker's PeerId once connected. */
  get tracker (): PeerId | undefined { return this.#tracker }

  async #servable (cid: string): Promise<ServableFile | undefined> {
    // a file being downloaded is served from its first piece on (partial seeding)
    const file = await this.store.get(cid)
    if (file == null) return undefined
    return {
      pieceCount: file.info.pieceCount,
      // the server then reads pieces into buffers it reuses once TLS has consumed them
      // (PieceBuffers), as the tracker does: no 256 KiB allocation per piece served
      pieceSize: file.info.manifest.pieceSize,
      bitfield: file.bitfield,
      readPiece: async (i, into) => file.readPiece(i, into),
      onPiece: (l) => file.onPiece(l),
      knownHeldBy: (peer, i) => file.knownHeldBy(peer, i)
    }
  }

  /** Connects to the tracker (once); throws TrackerUnreachableError. */
  async connect (signal?: AbortSignal): Promise<PeerId> {
    if (this.#tracker != null) return this.#tracker
    // callers at once share one attempt
    this.#connecting ??= this.#connect(signal).finally(() => { this.#connecting = undefined })
    return this.#connecting
  }

  async #connect (signal?: AbortSignal): Promise<PeerId> {
    try {
      const timeout = AbortSignal.timeout(15_000)
      const combined = signal == null ? timeout : AbortSignal.any([signal, timeout])
      const connection = await this.host.dial(this.#init.tracker, { signal: combined })
      // a tracker whose allow-list leaves us out completes the handshake and then hangs up:
      // one round trip tells that apart from a working connection
      await this.host.services.ping.ping(connection.remotePeer, { signal: combined })
      this.#tracker = connection.remotePeer
      this.#log('connected to tracker %p', this.#tracker)
      this.host.addEventListener('peer:disconnect', this.#onDisconnect)
      return this.#tracker
    } catch (err) {
      throw new TrackerUnreachableError(`The tracker at ${this.#init.tracker.map(String).join(', ')} could not be reached`, { cause: err })
    }
  }

  /** The tracker's status: queue, connected peers, per-file offload. */
  async trackerStatus (signal?: AbortSignal): Promise<TrackerStatus> {
    return fetchTrackerStatus(this.host, await this.connect(signal), signal)
  }

  /** The catalogue item of a cid (from a recent listing, refreshed on a miss). */
  async itemOf (cid: string, signal?: AbortSignal): Promise<CatalogueItem | undefined> {
    const find = (): CatalogueItem | undefined => this.#catalogue?.items.find(i => cidString(i) === cid)
    if (this.#catalogue == null || Date.now() - this.#catalogue.at > CATALOGUE_CACHE_MS || find() == null) {
      this.#catalogue = { items: await this.list(undefined, signal), at: Date.now() }
    }
    return find()
  }

  /**
   * A streamable view of a catalogue item: starts (or joins) its fetch and reads through
   * the streaming primitive. Undefined when the cid is not in the catalogue.
   */
  async media (cid: string, signal?: AbortSignal): Promise<MediaItem | undefined> {
    const parsed = parseCid(cid)
    if (parsed == null) return undefined
    const item = await this.itemOf(parsed.toString(), signal)
    if (item == null) return undefined
    const fetch = await this.fetch(parsed)
    return {
      cid: parsed.toString(),
      name: item.path.split('/').pop() ?? item.path,
      size: item.size,
      mime: item.mime,
      read: (start, end, readSignal) => fetch.read(start, end, readSignal)
    }
  }

  /** The fetch of a cid started by this peer, if any. */
  fetchOf (cid: string): Fetch | undefined {
    return this.#fetches.get(cid)
  }

  /** The whole catalogue, or the items matching `query`. */
  async list (query?: string, signal?: AbortSignal): Promise<CatalogueItem[]> {
    return listAll(this.host, await this.connect(signal), query, signal)
  }

  /**
   * Finds one catalogue item by cid, exact path, or unique file name. Throws
   * NotFoundError, naming the candidates when a name is ambiguous.
   */
  async resolve (nameOrCid: string, signal?: AbortSignal): Promise<CatalogueItem> {
    const items = await this.list(undefined, signal)
    const cid = parseCid(nameOrCid)
    if (cid != null) {
      const item = items.find(i => cidString(i) === cid.toString())
      if (item == null) throw new NotFoundError(`No file with cid ${nameOrCid} is in the catalogue`)
      return item
    }
    const exact = items.find(i => i.path === nameOrCid)
    if (exact != null) return exact
    const byName = items.filter(i => i.path.split('/').pop() === nameOrCid)
    if (byName.length === 1) return byName[0]
    if (byName.length > 1) throw new NotFoundError(`"${nameOrCid}" matches several files: ${byName.map(i => i.path).join(', ')}`)
    throw new NotFoundError(`No file named "${nameOrCid}" is in the catalogue`)
  }

  /**
   * Starts fetching a file (or returns the fetch already running for it): the manifest,
   * checked against the cid, then a place in the tracker's queue, the ticket and a verified
   * multi-provider transfer in the background. Read it while it downloads with
   * `fetch.read(start, end)`; `fetch.result` settles when it is complete.
   */
  async fetch (cid: CID, options: PeerDownloadOptions = {}): Promise<Fetch> {
    const key = cid.toString()
    // single flight per cid: one manifest fetch, one queue request, one session for every caller
    let starting = this.#starting.get(key)
    if (starting == null) {
      starting = this.#startFetch(cid, options).finally(() => { this.#starting.delete(key) })
      this.#starting.set(key, starting)
    }
    const fetch = await starting
    if (options.onProgress != null) fetch.onProgress(options.onProgress)
    return fetch
  }

  async #startFetch (cid: CID, options: PeerDownloadOptions): Promise<Fetch> {
    const key = cid.toString()
    const existing = this.#fetches.get(key)
    // reuse a running or finished fetch, unless its data was deleted (or damaged pieces dropped) since
    if (existing != null && existing.state.phase !== 'failed' && !(existing.state.phase === 'complete' && !existing.file.complete) && await stat(existing.file.dataPath).then(() => true, () => false)) return existing
    const tracker = await this.connect(options.signal)
    const info = await fetchManifest(this.host, tracker, cid, options.signal)
    const file = await this.store.open(info, { saveAs: options.saveAs })
    this.#watchDrops(file)
    const fetch = new Fetch({
      host: this.host,
      tracker,
      sharing: this.sharing,
      swarmIntervalMs: this.#init.swarmIntervalMs ?? 1000,
      log: this.#log,
      requestId: options.requestId,
      signal: options.signal,
      session: this.#init.session
    }, file)
    fetch.result.catch(() => {}) // observed by whoever awaits it
    this.#fetches.set(key, fetch)
    const off = fetch.onProgress(e => { if (e.type === 'transfer:piece-verified') this.#releaseReachability() })
    void fetch.result.catch(() => {}).finally(() => { off(); this.#releaseReachability() })
    return fetch
  }

  /** Downloads a file into the store and resolves when every piece is verified and stored. */
  async download (cid: CID, options: PeerDownloadOptions = {}): Promise<PeerDownloadResult> {
    const fetch = await this.fetch(cid, options)
    return fetch.result
  }

  /**
   * A sharing peer stops announcing what its store dropped (a piece found damaged, a file
   * the user moved or changed): the tracker gets what it still holds.
   */
  #watchDrops (file: StoredFile): void {
    if (!this.sharing || this.#watched.has(file)) return
    this.#watched.add(file)
    file.onPieceDropped(() => {
      if (this.#tracker == null || this.#stopping) return
      this.#announceHave(file).catch(err => { this.#log('could not announce what %s still holds - %e', file.cid, err) })
    })
  }

  async #announceHave (file: StoredFile, signal?: AbortSignal): Promise<void> {
    this.#watchDrops(file)
    const tracker = await this.connect(signal)
    await announce(this.host, tracker, { type: AnnounceRequest.Type.HAVE, cid: new Uint8Array(file.info.cid.bytes), ...holdingOf(file), reachability: selfReachability(this.host.services) ?? 'none' }, signal)
  }

  /**
   * Announces everything in the store to the tracker, so it names this peer in tickets.
   * Returns the files announced.
   */
  async reshare (signal?: AbortSignal): Promise<StoredFile[]> {
    const files = (await this.store.openAll()).filter(f => f.bitfield.count > 0)
    for (const file of files) await this.#announceHave(file, signal)
    return files
  }

  /**
   * A peer that loses its tracker (a restart, a network cut) dials it again with backoff;
   * once back, a sharing peer re-announces what it holds so tickets name it again.
   */
  readonly #onDisconnect = (evt: CustomEvent<PeerId>): void => {
    if (this.#stopping || this.#reconnecting || this.#tracker == null || !evt.detail.equals(this.#tracker)) return
    this.#reconnecting = true
    this.#init.onTrackerEvent?.({ type: 'tracker:lost' })
    this.#reconnect().finally(() => { this.#reconnecting = false })
  }

  async #reconnect (): Promise<void> {
    for (let attempt = 0; !this.#stopping; attempt++) {
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** attempt) * (0.75 + Math.random() / 2)
      await new Promise(resolve => setTimeout(resolve, delay).unref())
      if (this.#stopping) return
      try {
        await this.host.dial(this.#init.tracker, { signal: AbortSignal.timeout(10_000) })
        const files = this.sharing ? await this.reshare(AbortSignal.timeout(30_000)) : []
        this.#log('back with the tracker after %d attempts; re-announced %d files', attempt + 1, files.length)
        this.#init.onTrackerEvent?.({ type: 'tracker:back', files: files.length })
        return
      } catch (err) {
        this.#log('tracker still unreachable - %e', err)
      }
    }
  }

  /** Stops serving; tells the tracker first when connected, so it stops naming us. */
  async stop (): Promise<void> {
    this.#stopping = true
    // held-back reachability work is not released here: the host stops its services unstarted
    this.#releaseReachability = () => {}
    this.host.removeEventListener('peer:disconnect', this.#onDisconnect)
    if (this.#tracker != null && this.sharing && this.host.status === 'started') {
      await announce(this.host, this.#tracker, { type: AnnounceRequest.Type.BYE, cid: new Uint8Array(0) }, AbortSignal.timeout(2000))
        .catch(err => { this.#log('could not say goodbye - %e', err) })
    }
    await this.#server.stop().catch(() => {})
    await this.store.close()
    await this.host.stop()
  }
}

function countPunch (stats: PunchStats, result: PunchResult): void {
  if (result.ok) { stats.succeeded++; stats.last = result } else stats.failed++
}

/** The cid of a catalogue item as a string. */
export function cidString (item: CatalogueItem): string {
  return CID.decode(item.cid).toString()
}

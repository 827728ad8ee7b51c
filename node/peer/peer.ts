import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { NotFoundError, TrackerUnreachableError } from '../errors.js'
import { createHost, loadOrCreateIdentity } from '../host/index.js'
import { parseCid } from '../manifest/index.js'
import { announce, fetchManifest, fetchTrackerStatus, listAll, requestTicket, TransferServer, AnnounceRequest } from '../protocols/index.js'
import { DownloadSession } from '../session/index.js'
import { PieceStore } from '../store/index.js'
import { decodeTicket } from '../tickets/index.js'
import type { Host } from '../host/index.js'
import type { CatalogueItem, QueuePosition, UploadLimiter, ServableFile, TrackerStatus } from '../protocols/index.js'
import type { DownloadEvent, DownloadResult } from '../session/index.js'
import type { StoredFile } from '../store/index.js'
import type { Ticket } from '../tickets/index.js'
import type { ComponentLogger, Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Options of {@link Peer}. */
export interface PeerInit {
  /** Home folder: identity key and piece store. */
  home: string
  /** The tracker's addresses (with /p2p/<id> to pin its identity). */
  tracker: Multiaddr[]
  /** Addresses to listen on for other peers. @default [] (no inbound; a `get` that does not reshare) */
  listen?: string[]
  logger?: ComponentLogger
  /** Shared upload limiter for resharing. */
  limiter?: UploadLimiter
  /** Downloaders served at once. @default 8 */
  uploadSlots?: number
  /** How often a running download reports its pieces and learns of new providers. @default 1000 */
  swarmIntervalMs?: number
}

/** Most piece ranges one announcement carries (a hint; the bitfield on the wire is exact). */
const MAX_ANNOUNCED_RANGES = 4096

/** Progress of one {@link Peer.download}. */
export type PeerDownloadEvent =
  | { type: 'queue:position', position: QueuePosition }
  | { type: 'queue:granted', ticket: Ticket }
  | { type: 'download:start', total: number, have: number }
  | DownloadEvent

/** Options of {@link Peer.download}. */
export interface PeerDownloadOptions {
  onProgress?: (event: PeerDownloadEvent) => void
  signal?: AbortSignal
  /** Keep a place in the queue across reconnects. @default random */
  requestId?: string
}

/** What a download returns. */
export interface PeerDownloadResult {
  file: StoredFile
  /** undefined when the file was already complete in the store. */
  transfer?: DownloadResult
  bytesFromTracker: number
  bytesFromPeers: number
}

/**
 * A mediaswarm peer: a libp2p host with a persistent identity, a piece store, a connection
 * to the tracker, and (when listening) a transfer server that reshares what it holds.
 */
export class Peer {
  readonly host: Host
  readonly store: PieceStore
  readonly #init: PeerInit
  readonly #log: Logger
  readonly #server: TransferServer
  #tracker?: PeerId

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
      source: { lookup: async (cid) => this.#servable(cid) }
    })
  }

  /** Creates and starts a peer (does not contact the tracker yet). */
  static async create (init: PeerInit): Promise<Peer> {
    const logger = init.logger ?? defaultLogger()
    const privateKey = await loadOrCreateIdentity(init.home)
    const host = await createHost({ privateKey, listen: init.listen ?? [], logger })
    const peer = new Peer(init, host, logger)
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

  get peerId (): PeerId { return this.host.peerId }

  /** The tracker's PeerId once connected. */
  get tracker (): PeerId | undefined { return this.#tracker }

  async #servable (cid: string): Promise<ServableFile | undefined> {
    // a file being downloaded is served from its first piece on (partial seeding)
    const file = await this.store.get(cid)
    if (file == null) return undefined
    return {
      pieceCount: file.info.pieceCount,
      bitfield: file.bitfield,
      readPiece: async (i) => file.readPiece(i),
      onPiece: (l) => file.onPiece(l)
    }
  }

  /** Connects to the tracker (once); throws TrackerUnreachableError. */
  async connect (signal?: AbortSignal): Promise<PeerId> {
    if (this.#tracker != null) return this.#tracker
    try {
      const timeout = AbortSignal.timeout(15_000)
      const connection = await this.host.dial(this.#init.tracker, { signal: signal == null ? timeout : AbortSignal.any([signal, timeout]) })
      this.#tracker = connection.remotePeer
      this.#log('connected to tracker %p', this.#tracker)
      return this.#tracker
    } catch (err) {
      throw new TrackerUnreachableError(`The tracker at ${this.#init.tracker.map(String).join(', ')} could not be reached`, { cause: err })
    }
  }

  /** The tracker's status: queue, connected peers, per-file offload. */
  async trackerStatus (signal?: AbortSignal): Promise<TrackerStatus> {
    return fetchTrackerStatus(this.host, await this.connect(signal), signal)
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
   * Downloads a file into the store: manifest (checked against the cid), a place in the
   * tracker's queue, the ticket, then a verified multi-provider transfer; finally tells
   * the tracker it is done.
   */
  async download (cid: CID, options: PeerDownloadOptions = {}): Promise<PeerDownloadResult> {
    const tracker = await this.connect(options.signal)
    const info = await fetchManifest(this.host, tracker, cid, options.signal)
    const file = await this.store.open(info)
    if (file.complete) return { file, bytesFromTracker: 0, bytesFromPeers: 0 }
    const onProgress = options.onProgress
    let ticket = await requestTicket(this.host, tracker, {
      cid,
      requestId: options.requestId ?? randomUUID(),
      signal: options.signal,
      onPosition: (position) => onProgress?.({ type: 'queue:position', position })
    })
    onProgress?.({ type: 'queue:granted', ticket })
    onProgress?.({ type: 'download:start', total: info.manifest.size, have: file.bytesHave })
    const session = new DownloadSession({
      host: this.host,
      file,
      ticket,
      providers: providersOf(ticket),
      fallbackProvider: tracker.toString(),
      logger: this.host.logger,
      onProgress,
      signal: options.signal
    })
    // while the transfer runs: tell the tracker what we hold (so it can name us to others),
    // renew the ticket, and connect to providers it names that we do not know yet
    const swarm = setInterval(() => {
      announce(this.host, tracker, {
        type: AnnounceRequest.Type.RENEW,
        cid: new Uint8Array(cid.bytes),
        ticketId: ticket.ticketId,
        ...(this.sharing ? holdingOf(file) : {})
      }).then(res => {
        ticket = decodeTicket(res.ticket)
        session.updateTicket(ticket)
        for (const p of providersOf(ticket)) session.addProvider(p)
      }).catch(err => { this.#log.error('ticket renewal failed - %e', err) })
    }, this.#init.swarmIntervalMs ?? 1000)
    swarm.unref()
    let result: DownloadResult | undefined
    try {
      result = await session.run()
      if (this.sharing) await this.#announceHave(file).catch(err => { this.#log.error('could not announce %s - %e', file.cid, err) })
    } finally {
      clearInterval(swarm)
      const bytes = splitBytes(result, tracker.toString())
      await announce(this.host, tracker, {
        type: AnnounceRequest.Type.DONE,
        cid: new Uint8Array(cid.bytes),
        ticketId: ticket.ticketId,
        success: result != null,
        bytesFromTracker: bytes.fromTracker,
        bytesFromPeers: bytes.fromPeers
      }).catch(err => { this.#log.error('could not report done - %e', err) })
    }
    const { fromTracker, fromPeers } = splitBytes(result, tracker.toString())
    return { file, transfer: result, bytesFromTracker: fromTracker, bytesFromPeers: fromPeers }
  }

  async #announceHave (file: StoredFile, signal?: AbortSignal): Promise<void> {
    const tracker = await this.connect(signal)
    await announce(this.host, tracker, { type: AnnounceRequest.Type.HAVE, cid: new Uint8Array(file.info.cid.bytes), ...holdingOf(file) }, signal)
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

  /** Stops serving; tells the tracker first when connected, so it stops naming us. */
  async stop (): Promise<void> {
    if (this.#tracker != null && this.sharing && this.host.status === 'started') {
      await announce(this.host, this.#tracker, { type: AnnounceRequest.Type.BYE, cid: new Uint8Array(0) }, AbortSignal.timeout(2000))
        .catch(err => { this.#log('could not say goodbye - %e', err) })
    }
    await this.#server.stop().catch(() => {})
    await this.store.close()
    await this.host.stop()
  }
}

function providersOf (ticket: Ticket): Array<{ peerId: string, multiaddrs: Multiaddr[] }> {
  return ticket.providers.map(p => ({
    peerId: p.peerId,
    multiaddrs: p.multiaddrs.flatMap(bytes => {
      try { return [multiaddr(bytes)] } catch { return [] }
    })
  }))
}

function holdingOf (file: StoredFile): { complete: boolean, ranges: Array<{ start: number, end: number }> } {
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

/** The cid of a catalogue item as a string. */
export function cidString (item: CatalogueItem): string {
  return CID.decode(item.cid).toString()
}

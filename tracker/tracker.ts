import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import {
  ANNOUNCE_PROTOCOL, CATALOGUE_PROTOCOL, QUEUE_PROTOCOL, TransferServer, addressLimitGater, createHost, ensureDir, loadOrCreateIdentity, writeFileAtomic
} from '../node/index.js'
import { adminPeers } from './admin.js'
import { Catalogue } from './catalogue/index.js'
import {
  DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_RELAY, DIAL_BACK_DELAY_MS, DEFAULT_TRACKER_LISTEN, DEFAULT_TRACKER_LISTEN_V6, TRACKER_ADDR_FILE, TRACKER_INBOUND_PER_SECOND, TRACKER_PENDING_CONNECTIONS
} from './constants.js'
import { LibrarySource } from './library-source.js'
import { handleAnnounce } from './protocols/announce-handler.js'
import { handleCatalogue } from './protocols/catalogue-handler.js'
import { handleQueue } from './protocols/queue-handler.js'
import { ProviderIndex } from './providers/index.js'
import { RequestQueue } from './queue/index.js'
import { TicketIssuer } from './ticket-issuer.js'
import { GrantsFile, QueueStateFile, QueueStateText } from './queue-state.js'
import { TransferStats } from './transfer-stats.js'
import { Observability } from './observability.js'
import { quietLogger } from '../node/quiet-logger.js'
import { MeteredSource } from './metrics/index.js'
import { startTrackerWeb } from './web/index.js'
import type { History } from './history.js'
import type { ConnectedPeers, ReachabilityOf, TrackerMetrics } from './metrics/index.js'
import type { PeerRateView, TrackerWeb, WebSource } from './web/index.js'
import type { TicketSentEvent, TrackerContext } from './protocols/context.js'
import type { Host, RelayServerInit, UploadLimiter } from '../node/index.js'
import type { ComponentLogger, Connection, Logger, PrivateKey, Stream } from '@libp2p/interface'

export { TRACKER_ADDR_FILE, DEFAULT_TRACKER_LISTEN }

/** Options of {@link Tracker}. */
/** See {@link TrackerInit.encryption}. */
export type TrackerEncryption = 'tls' | 'noise'

export interface TrackerInit {
  /** Which library files are served (see CatalogueInit.include). @default every file */
  include?: (path: string) => boolean
  /** Identity key, hash cache and tracker.addr live here. */
  home: string
  /** The library folder served. */
  mediaDir: string
  /** @default [DEFAULT_TRACKER_LISTEN, DEFAULT_TRACKER_LISTEN_V6] */
  listen?: string[]
  /** Concurrent transfer slots. @default 4 */
  slots?: number
  /** Longest queue before refusing. @default 10000 */
  maxWaiting?: number
  /** Requests one peer may hold (waiting + granted). @default 8 */
  maxPerPeer?: number
  /** Grants one peer may hold at once (`--per-peer-active`). @default 1 */
  maxActivePerPeer?: number
  /** Requests one source address (IPv4 address or IPv6 /64) may hold. @default 64 */
  maxRequestsPerAddress?: number
  /** Open inbound connections from one source address. @default 32 */
  maxConnectionsPerAddress?: number
  /**
   * Connections the tracker keeps open (libp2p's connection manager prunes beyond). libp2p's
   * default of 300 caps a tracker at 300 connected peers; see DEFAULT_MAX_CONNECTIONS for the
   * sizing. @default DEFAULT_MAX_CONNECTIONS (2500)
   */
  maxConnections?: number
  /** Told each time a ticket was written to its requester (grant latency, for benchmarks). */
  onTicketSent?: (event: TicketSentEvent) => void
  /** A grant without progress for this long loses its slot. @default 30000 */
  idleMs?: number
  /** Distinct reporters that take a provider out of every ticket; see ProviderIndex. @default 3 */
  reportQuorum?: number
  /**
   * PeerIds that see the operator's view of `status` (who queued what, who holds what).
   * The tracker's own admin identity (`<home>/admin`, used by `status --home <tracker home>`)
   * always does. @default []
   */
  admins?: string[]
  /** Ticket lifetime (renewable). @default 60000 */
  leaseMs?: number
  /** How long a disconnected peer keeps its place or slot. @default 15000 */
  graceMs?: number
  /** Watch the media folder. @default true */
  watch?: boolean
  /** Shared upload limiter. */
  limiter?: UploadLimiter
  /** Downloaders served at once over the transfer protocol. @default unlimited (the queue's slots govern) */
  uploadSlots?: number
  /** @default quietLogger(): libp2p's default logger when DEBUG is set, else a shared silent one */
  logger?: ComponentLogger
  /**
   * Serve the web app, its API and /metrics on this address (`tracker --http ADDR:PORT`);
   * port 0 picks a free one. See Tracker.web. @default undefined (no HTTP server)
   */
  http?: { host: string, port: number }
  /** Collect libp2p's own metrics into /metrics (some CPU per stream). @default true when `http` is set */
  libp2pMetrics?: boolean
  /** How connected peers are classed by reachability (dashboard, metrics). @default defaultReachability(host) */
  reachabilityOf?: ReachabilityOf
  /** Seconds of history kept (one sample a second). @default 3600 */
  historySeconds?: number
  /** Pre-shared network key (swarm.key contents); see HostInit. @default undefined (open network) */
  psk?: Uint8Array
  /** PeerIds allowed to connect; see HostInit. @default undefined (any) */
  allow?: string[]
  /**
   * How connections to the tracker are encrypted. `tls`: TLS 1.3 first (OpenSSL does the
   * record crypto), Noise for peers without TLS. `noise`: Noise only (a peer that proposes TLS
   * first falls back to it), for a tracker whose memory, not its CPU, is the limit: Node's
   * TLS holds ~50 KB of native memory per connection (2,000 peers: idle 190 / peak 306 MB
   * with Noise against 284 / 405 with TLS in `bench:tracker`), while Noise costs about twice
   * the CPU per byte the tracker serves (docs/profiling.md, session 10).
   * @default 'tls'
   */
  encryption?: TrackerEncryption
  /**
   * The circuit relay for the tracker's own peers (reservations, and bytes and duration per
   * relayed connection), or false for none. @default DEFAULT_RELAY
   */
  relay?: RelayServerInit | false
}

/**
 * The tracker: owns the catalogue of its media folder and the ordered request queue, signs
 * tickets, keeps the provider index, and serves library files over the transfer protocol.
 */
export class Tracker implements WebSource {
  readonly host: Host
  readonly catalogue: Catalogue
  readonly queue: RequestQueue
  readonly providers: ProviderIndex
  readonly stats: TransferStats
  /** Signs tickets and knows which are live. */
  readonly tickets: TicketIssuer
  /** The web app's server, when `http` was given. */
  web?: TrackerWeb
  readonly #observe: Observability
  readonly #source: MeteredSource
  readonly #init: TrackerInit
  readonly #log: Logger
  readonly #transfer: TransferServer
  readonly #ctx: TrackerContext
  readonly #onDisconnect: (evt: CustomEvent) => void
  readonly #state: QueueStateFile

  readonly #grants: GrantsFile

  private constructor (init: TrackerInit, host: Host, catalogue: Catalogue, key: PrivateKey, admins: Set<string>, logger: ComponentLogger, registry: Registry) {
    this.#init = init
    this.host = host
    this.catalogue = catalogue
    this.#log = logger.forComponent('mediaswarm:tracker')
    this.stats = new TransferStats()
    this.#observe = new Observability({
      registry,
      queue: () => this.queue,
      providers: () => this.providers,
      stats: this.stats,
      catalogue,
      host: () => this.host,
      reachabilityOf: init.reachabilityOf,
      pieces: () => ({ verified: this.#source.verified, failed: this.#source.failed }),
      historyCapacity: init.historySeconds
    })
    const metrics = this.#observe.metrics
    const stateText = new QueueStateText()
    this.#state = new QueueStateFile(init.home, () => this.#stateText(stateText), this.#log)
    this.#grants = new GrantsFile(init.home, () => this.providers.saveGrants(), this.#log)
    this.providers = new ProviderIndex({ reportQuorum: init.reportQuorum })
    this.queue = new RequestQueue({
      slots: init.slots,
      maxWaiting: init.maxWaiting,
      maxPerPeer: init.maxPerPeer,
      maxActivePerPeer: init.maxActivePerPeer,
      maxPerSource: init.maxRequestsPerAddress,
      idleMs: init.idleMs,
      leaseMs: init.leaseMs,
      graceMs: init.graceMs,
      logger,
      onChange: () => { this.#state.changed(); this.#observe.queueChanged() }
    })
    const tickets = new TicketIssuer(key, host, this.providers, this.queue, () => { this.#state.changed(); this.#grants.changed(); metrics.ticketIssued() })
    this.tickets = tickets
    this.#ctx = {
      host,
      catalogue,
      queue: this.queue,
      providers: this.providers,
      tickets,
      stats: this.stats,
      isAdmin: (peer) => admins.has(peer),
      onTicketSent: (e) => { metrics.ticketSent(e.latencyMs); init.onTicketSent?.(e) },
      onRefused: (refusal) => { metrics.ticketRefused(refusal) },
      log: this.#log
    }
    const source = new MeteredSource(new LibrarySource(catalogue))
    catalogue.addEventListener('change', (evt) => {
      for (const entry of evt.detail.removed) source.forget(entry.cidString)
    })
    this.#source = source
    this.#transfer = new TransferServer({
      host,
      logger,
      limiter: init.limiter,
      tracker: () => host.peerId,
      source,
      maxInboundStreams: 32,
      uploadSlots: init.uploadSlots,
      // a released or superseded ticket is refused at once, not when it expires
      isTicketLive: (ticket) => tickets.isLive(ticket),
      onServed: (e) => {
        this.stats.trackerServed(e.cid, e.bytes, e.peer)
        // bytes the tracker serves are progress of that holder's grant
        const grant = this.queue.grantOf(e.peer, e.cid)
        if (grant != null) this.queue.progress(grant)
      }
    })
    this.#onDisconnect = (evt) => {
      const peer = String(evt.detail)
      this.queue.detachPeer(peer)
      this.providers.removePeer(peer)
    }
  }

  /** Scans the library, starts listening and writes `tracker.addr`. */
  static async create (init: TrackerInit): Promise<Tracker> {
    const logger = init.logger ?? quietLogger()
    await ensureDir(init.home, 0o700)
    const privateKey = await loadOrCreateIdentity(init.home)
    const catalogue = new Catalogue({ mediaDir: init.mediaDir, cacheDir: init.home, watch: init.watch, include: init.include, logger })
    await catalogue.start()
    let host: Host
    let admins: Set<string>
    // one registry per tracker: libp2p's metrics and mediaswarm's, scraped together
    const registry = new Registry()
    try {
      admins = await adminPeers(init.home, init.admins ?? [])
      // one address cannot fill the connection table
      const connectionGater = addressLimitGater({ maxConnectionsPerAddress: init.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, logger })
      host = await createHost({
        privateKey,
        listen: init.listen ?? [DEFAULT_TRACKER_LISTEN, DEFAULT_TRACKER_LISTEN_V6],
        logger,
        psk: init.psk,
        allow: init.allow,
        encrypters: init.encryption === 'noise' ? ['noise'] : undefined,
        connectionGater,
        maxConnections: init.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
        inboundConnectionThreshold: TRACKER_INBOUND_PER_SECOND,
        maxIncomingPendingConnections: TRACKER_PENDING_CONNECTIONS,
        // peers behind NAT are reachable through the tracker for coordination; each peer is dialled back once to learn whether it is reachable directly
        relay: init.relay === false ? undefined : { server: init.relay ?? DEFAULT_RELAY },
        checkReachability: { delayMs: DIAL_BACK_DELAY_MS },
        metrics: (init.libp2pMetrics ?? init.http != null) ? prometheusMetrics({ registry }) : undefined
      })
    } catch (err) {
      await catalogue.stop()
      throw err
    }
    const tracker = new Tracker(init, host, catalogue, privateKey, admins, logger, registry)
    await tracker.#start()
    if (init.http != null) {
      try {
        tracker.web = await startTrackerWeb({
          source: tracker,
          home: init.home,
          host: init.http.host,
          port: init.http.port,
          logger,
          // library files over HTTP share the upload cap and count as the tracker's upload
          limiter: init.limiter,
          onServed: (cid, bytes) => { tracker.stats.trackerServed(cid, bytes) }
        })
      } catch (err) {
        await tracker.stop()
        throw err
      }
    }
    return tracker
  }

  /** The history the dashboard plots: one sample a second, bounded. */
  get history (): History {
    return this.#observe.history
  }

  /** mediaswarm's Prometheus metrics (and libp2p's, when enabled). */
  get metrics (): TrackerMetrics {
    return this.#observe.metrics
  }

  /** Connected peers and how each is reachable. */
  connectedPeers (): ConnectedPeers {
    return this.#observe.connectedPeers()
  }

  /** A connected peer's estimated upload and download rates. */
  peerRates (peer: string): PeerRateView {
    return this.#observe.peerRates(peer)
  }

  /** Subscribes to queue changes (arrivals, grants, releases); returns the unsubscribe. */
  onQueueChange (listener: () => void): () => void {
    return this.#observe.onQueueChange(listener)
  }

  /** Listening multiaddrs, each ending in /p2p/<PeerId>. */
  get addresses (): string[] {
    return this.host.getMultiaddrs().map(m => m.toString())
  }

  /** The queue and its live tickets as JSON (tickets of requests no longer queued are forgotten first). */
  async #stateText (text: QueueStateText): Promise<string> {
    this.#ctx.tickets.prune(key => this.queue.has(key))
    return await text.text(this.queue, this.#ctx.tickets.save())
  }

  /** Puts back the queue and tickets saved by a previous run (clean stop or crash). */
  async #restoreQueue (): Promise<void> {
    this.providers.restoreGrants(await this.#grants.load())
    const saved = await this.#state.load()
    if (saved == null) return
    const requests = saved.requests.filter(r => this.catalogue.get(r.cid) != null)
    this.#ctx.tickets.restore(saved.tickets)
    this.queue.restore(requests)
    if (requests.length > 0) this.#log('restored %d queued requests', requests.length)
  }

  async #start (): Promise<void> {
    await this.#restoreQueue()
    const handle = async (protocol: string, fn: (ctx: TrackerContext, stream: Stream, connection: Connection) => Promise<void>, maxInboundStreams: number): Promise<void> => {
      await this.host.handle(protocol, async (stream, connection) => {
        try {
          await fn(this.#ctx, stream, connection)
        } catch (err) {
          this.#log.error('%s stream from %p failed - %e', protocol, connection.remotePeer, err)
          stream.abort(err as Error)
        }
      }, { maxInboundStreams })
    }
    await handle(CATALOGUE_PROTOCOL, handleCatalogue, 8)
    await handle(QUEUE_PROTOCOL, handleQueue, 16)
    await handle(ANNOUNCE_PROTOCOL, handleAnnounce, 8)
    await this.#transfer.start()
    this.#observe.start()
    this.host.addEventListener('peer:disconnect', this.#onDisconnect)
    const file = join(this.#init.home, TRACKER_ADDR_FILE)
    await writeFileAtomic(file, this.addresses.join('\n') + '\n')
    this.#log('tracker %p serving %d files on %s', this.host.peerId, this.catalogue.size, this.addresses.join(', '))
  }

  async stop (): Promise<void> {
    await this.web?.close()
    this.#observe.stop()
    this.host.removeEventListener('peer:disconnect', this.#onDisconnect)
    await rm(join(this.#init.home, TRACKER_ADDR_FILE), { force: true })
    // peers that come back to a restarted tracker keep their places
    await this.#state.save()
    await this.#grants.save()
    this.queue.stop()
    this.tickets.stop()
    await this.#transfer.stop().catch(() => {})
    await this.host.stop()
    await this.catalogue.stop()
  }
}

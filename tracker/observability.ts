import type { Registry } from 'prom-client'
import { History, HistorySampler } from './history.js'
import { GrantWatcher, PeerRates, TrackerMetrics, connectedPeers, defaultReachability } from './metrics/index.js'
import type { ConnectedPeers, ReachabilityOf } from './metrics/index.js'
import type { Catalogue } from './catalogue/index.js'
import type { ProviderIndex } from './providers/index.js'
import type { RequestQueue } from './queue/index.js'
import type { TransferStats } from './transfer-stats.js'
import type { PeerRateView } from './web/types.js'
import type { Host } from '../node/index.js'

/** What the tracker's observability reads. */
export interface ObservabilityInit {
  registry: Registry
  queue: () => RequestQueue
  providers: () => ProviderIndex
  stats: TransferStats
  catalogue: Catalogue
  host: () => Host
  /** @default defaultReachability(host): what the tracker's dial-backs, its relay and the peers' self-reports say */
  reachabilityOf?: ReachabilityOf
  /** Pieces checked while serving. */
  pieces: () => { verified: number, failed: number }
  /** Samples of history kept (one a second). @default 3600 */
  historyCapacity?: number
}

/**
 * The tracker's history, metrics and change notices, in one place: a ring buffer sampled
 * every second (queue length, upload rate, offload), mediaswarm's Prometheus metrics, the
 * grant watcher feeding the wait and hold histograms, and listeners of queue changes (the web
 * app's event stream).
 */
export class Observability {
  readonly history: History
  readonly metrics: TrackerMetrics
  readonly #init: ObservabilityInit
  readonly #sampler: HistorySampler
  readonly #grants: GrantWatcher
  readonly #queueListeners = new Set<() => void>()
  #reachabilityOf?: ReachabilityOf
  readonly #rates: PeerRates

  constructor (init: ObservabilityInit) {
    this.#init = init
    this.#reachabilityOf = init.reachabilityOf
    this.history = new History(init.historyCapacity)
    this.metrics = new TrackerMetrics({
      queue: () => init.queue().stats(),
      peers: () => this.connectedPeers().byReachability,
      served: () => ({ tracker: init.stats.totalServedByTracker, peers: init.stats.totalServedByPeers }),
      pieces: init.pieces,
      catalogueFiles: () => init.catalogue.size
    }, init.registry)
    this.#grants = new GrantWatcher(this.metrics)
    this.#rates = new PeerRates({
      holdings: () => this.#holdings(),
      trackerServed: () => Object.fromEntries(Object.entries(init.stats.byFile()).map(([cid, s]) => [cid, s.servedByTracker]))
    })
    this.#sampler = new HistorySampler({
      history: this.history,
      read: () => ({
        queueLength: init.queue().stats().waiting,
        servedByTracker: init.stats.totalServedByTracker,
        servedByPeers: init.stats.totalServedByPeers
      }),
      onSample: (s) => {
        this.metrics.queueLength(s.queueLength)
        this.#rates.tick()
      }
    })
  }

  #changePending = false

  start (): void {
    this.#sampler.start()
  }

  stop (): void {
    this.#sampler.stop()
    this.#queueListeners.clear()
  }

  /**
   * The queue changed (called by the queue's onChange). Changes in one turn of the event loop
   * are looked at once, after it: a burst of arrivals costs one pass, not one per request.
   */
  queueChanged (): void {
    if (this.#changePending) return
    this.#changePending = true
    setImmediate(() => {
      this.#changePending = false
      this.#grants.update(this.#init.queue().grantsView())
      for (const listener of this.#queueListeners) {
        try { listener() } catch {}
      }
    })
  }

  /** Subscribes to queue changes; returns the unsubscribe. */
  onQueueChange (listener: () => void): () => void {
    this.#queueListeners.add(listener)
    return () => { this.#queueListeners.delete(listener) }
  }

  /** Connected peers and how each is reachable. */
  connectedPeers (): ConnectedPeers {
    const host = this.#init.host()
    this.#reachabilityOf ??= defaultReachability(host)
    return connectedPeers(host.getConnections(), this.#reachabilityOf)
  }

  /** A peer's estimated rates (bytes per second); see PeerRates. */
  peerRates (peer: string): PeerRateView {
    return this.#rates.of(peer)
  }

  /** Held bytes per file per holder, from the provider index (pieces x piece size). */
  #holdings (): Map<string, Map<string, number>> {
    const providers = this.#init.providers()
    const out = new Map<string, Map<string, number>>()
    for (const cid of Object.keys(providers.counts())) {
      const entry = this.#init.catalogue.get(cid)
      if (entry == null) continue
      const peers = new Map<string, number>()
      for (const peer of providers.holders(cid)) {
        const holding = providers.holding(peer, cid)
        if (holding != null) peers.set(peer, Math.min(entry.size, holding.bits.count * entry.pieceSize))
      }
      out.set(cid, peers)
    }
    return out
  }
}


import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { REACHABILITIES } from './reachability.js'
import type { Reachability } from './reachability.js'

/** What the metrics read at scrape time. */
export interface MetricsSource {
  queue: () => { waiting: number, granted: number, slots: number }
  /** Connected peers per reachability. */
  peers: () => Record<Reachability, number>
  /** Bytes delivered since start, by source. */
  served: () => { tracker: number, peers: number }
  /** Library pieces checked against their hash while serving: good and bad, since start. */
  pieces: () => { verified: number, failed: number }
  catalogueFiles: () => number
}

/** Seconds: from 10 ms to about 45 minutes. */
const TIME_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 2700]
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
const LENGTH_BUCKETS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]

/**
 * mediaswarm's own Prometheus metrics, in a registry of their own (one per tracker: tests
 * run several trackers in one process, and libp2p's metrics share this registry). Counts are
 * pushed as things happen; gauges and the byte counters are read from the tracker at scrape
 * time, so nothing here can drift from what the tracker itself reports.
 */
export class TrackerMetrics {
  readonly registry: Registry
  readonly #queueWait: Histogram
  readonly #grantHold: Histogram
  readonly #grantLatency: Histogram
  readonly #queueLength: Histogram
  readonly #ticketsIssued: Counter
  readonly #ticketsRefused: Counter<'reason'>

  constructor (source: MetricsSource, registry = new Registry()) {
    this.registry = registry
    const registers = [registry]
    new Gauge({
      name: 'mediaswarm_queue_waiting',
      help: 'Requests waiting in the queue (the queue length)',
      registers,
      collect () { this.set(source.queue().waiting) }
    })
    new Gauge({
      name: 'mediaswarm_queue_granted',
      help: 'Requests holding a transfer slot',
      registers,
      collect () { this.set(source.queue().granted) }
    })
    new Gauge({
      name: 'mediaswarm_queue_slots',
      help: 'Transfer slots',
      registers,
      collect () { this.set(source.queue().slots) }
    })
    new Gauge({
      name: 'mediaswarm_catalogue_files',
      help: 'Files in the catalogue',
      registers,
      collect () { this.set(source.catalogueFiles()) }
    })
    new Gauge<'reachability'>({
      name: 'mediaswarm_connected_peers',
      help: 'Connected peers by how they are reachable',
      labelNames: ['reachability'],
      registers,
      collect () {
        const counts = source.peers()
        for (const r of REACHABILITIES) this.set({ reachability: r }, counts[r])
      }
    })
    // counters that follow the tracker's own totals (which only grow)
    const last = { tracker: 0, peers: 0 }
    new Counter<'source'>({
      name: 'mediaswarm_served_bytes_total',
      help: 'Bytes delivered to downloaders by source: the tracker (counted as sent) and peers (reported by downloaders when done)',
      labelNames: ['source'],
      registers,
      collect () {
        const now = source.served()
        for (const s of ['tracker', 'peers'] as const) {
          this.inc({ source: s }, Math.max(0, now[s] - last[s]))
          last[s] = Math.max(last[s], now[s])
        }
      }
    })
    const checked = { verified: 0, failed: 0 }
    const followPieces = (counter: Counter, key: 'verified' | 'failed'): void => {
      const now = source.pieces()[key]
      counter.inc(Math.max(0, now - checked[key]))
      checked[key] = Math.max(checked[key], now)
    }
    new Counter({
      name: 'mediaswarm_pieces_verified_total',
      help: 'Library pieces the tracker hashed against their manifest before serving them, and found good (a file still as it was hashed needs none)',
      registers,
      collect () { followPieces(this, 'verified') }
    })
    new Counter({
      name: 'mediaswarm_pieces_failed_total',
      help: 'Library pieces that did not match their manifest (not served)',
      registers,
      collect () { followPieces(this, 'failed') }
    })
    this.#queueWait = new Histogram({ name: 'mediaswarm_queue_wait_seconds', help: 'Time from a request\'s arrival to its grant', buckets: TIME_BUCKETS, registers })
    this.#grantHold = new Histogram({ name: 'mediaswarm_grant_hold_seconds', help: 'Time a grant held its slot (until done, expiry or loss of its holder)', buckets: TIME_BUCKETS, registers })
    this.#grantLatency = new Histogram({ name: 'mediaswarm_grant_latency_seconds', help: 'Time from a slot freeing (the grant) to the ticket written to its requester', buckets: LATENCY_BUCKETS, registers })
    this.#queueLength = new Histogram({ name: 'mediaswarm_queue_length', help: 'Queue length (waiting requests), sampled every second', buckets: LENGTH_BUCKETS, registers })
    this.#ticketsIssued = new Counter({ name: 'mediaswarm_tickets_issued_total', help: 'Tickets signed (grants and renewals)', registers })
    this.#ticketsRefused = new Counter({ name: 'mediaswarm_tickets_refused_total', help: 'Queue requests refused, by reason', labelNames: ['reason'], registers })
  }

  /** A request waited `ms` from its arrival to its grant. */
  granted (waitedMs: number): void { this.#queueWait.observe(Math.max(0, waitedMs) / 1000) }
  /** A grant ended after holding its slot `ms`. */
  grantEnded (heldMs: number): void { this.#grantHold.observe(Math.max(0, heldMs) / 1000) }
  /** A ticket reached its requester `ms` after the grant. */
  ticketSent (latencyMs: number): void { this.#grantLatency.observe(Math.max(0, latencyMs) / 1000) }
  /** The queue length, once a second. */
  queueLength (waiting: number): void { this.#queueLength.observe(waiting) }
  ticketIssued (): void { this.#ticketsIssued.inc() }
  /** A queue request was refused (QUEUE_FULL, PEER_LIMIT, UNKNOWN_CID...). */
  ticketRefused (reason: string): void { this.#ticketsRefused.inc({ reason: reason.toLowerCase().slice(0, 32) }) }

  /** The Prometheus text exposition of everything registered (libp2p's metrics included). */
  async text (): Promise<string> { return this.registry.metrics() }

  get contentType (): string { return this.registry.contentType }
}

/**
 * The tracker's Prometheus metrics (mediaswarm's own, next to libp2p's in one registry per
 * tracker) and how connected peers are classed by reachability.
 */
export { TrackerMetrics } from './tracker-metrics.js'
export type { MetricsSource } from './tracker-metrics.js'
export { MeteredSource } from './metered-source.js'
export { REACHABILITIES, connectedPeers, defaultReachability, reachabilityKey } from './reachability.js'
export type { ConnectedPeers, Reachability, ReachabilityOf } from './reachability.js'
export { GrantWatcher } from './grant-watcher.js'
export type { GrantObserver } from './grant-watcher.js'
export { PeerRates } from './peer-rates.js'
export type { PeerRatesSource } from './peer-rates.js'

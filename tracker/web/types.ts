import type { Catalogue } from '../catalogue/index.js'
import type { History } from '../history.js'
import type { ConnectedPeers, TrackerMetrics } from '../metrics/index.js'
import type { ProviderIndex } from '../providers/index.js'
import type { RequestQueue } from '../queue/index.js'
import type { TransferStats } from '../transfer-stats.js'

/** A peer's rates as the tracker estimates them (bytes per second). */
export interface PeerRateView {
  uploadRate: number
  downloadRate: number
}

/** What the web app reads from the tracker (the Tracker implements it). */
export interface WebSource {
  catalogue: Catalogue
  queue: RequestQueue
  providers: ProviderIndex
  stats: TransferStats
  history: History
  metrics: TrackerMetrics
  connectedPeers: () => ConnectedPeers
  peerRates: (peer: string) => PeerRateView
  /** Subscribes to queue changes (arrivals, grants, releases); returns the unsubscribe. */
  onQueueChange: (listener: () => void) => () => void
}

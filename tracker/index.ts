/**
 * The mediaswarm tracker: catalogue, ordered request queue, tickets, provider index.
 *
 * Fairness and admission, in short: requests are granted in arrival order among those that
 * may be granted; a peer holds one grant at a time by default (`maxActivePerPeer`), and its
 * other requests keep their place without blocking anyone behind them. A grant lives while it
 * makes progress (the tracker serves its holder, or the holder's announced bitfield grows):
 * without progress for `idleMs` it loses its slot, and renewals do not extend it. One source
 * address (IPv4 address or IPv6 /64) may hold `maxRequestsPerAddress` requests and
 * `maxConnectionsPerAddress` connections. A ticket is honoured while its request holds a grant
 * and it is one of the request's two newest; DONE ends them all. Peers are named as providers
 * only for files they were granted, while dialable and not reported (see ProviderIndex).
 */
import '../node/polyfill.js'

export { Tracker, TRACKER_ADDR_FILE, DEFAULT_TRACKER_LISTEN } from './tracker.js'
export type { TrackerEncryption, TrackerInit } from './tracker.js'
export type { TicketSentEvent } from './protocols/context.js'
export { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './constants.js'
export { DEFAULT_HEAP_GROWTH_PERCENT, setHeapGrowth } from './heap-growth.js'
export { Catalogue, toWireItem, mimeTypeOf } from './catalogue/index.js'
export type { CatalogueEntry, CatalogueInit } from './catalogue/index.js'
export { RequestQueue } from './queue/index.js'
export type { RequestQueueInit, Grant, QueueEvent } from './queue/index.js'
export { ProviderIndex } from './providers/index.js'
export { TransferStats } from './transfer-stats.js'
export type { FileTransferStats } from './transfer-stats.js'
export { History, HistorySampler, DEFAULT_HISTORY_CAPACITY } from './history.js'
export type { HistorySample } from './history.js'
export { TrackerMetrics, REACHABILITIES } from './metrics/index.js'
export type { Reachability, ReachabilityOf } from './metrics/index.js'
export { startTrackerWeb, HTTP_URL_FILE, HTTP_TOKEN_FILE } from './web/index.js'
export type { Dashboard, TrackerWeb, CatalogueItemView } from './web/index.js'

/**
 * The mediaswarm tracker: catalogue, ordered request queue, tickets, provider index.
 */
import '../node/polyfill.js'

export { Tracker, TRACKER_ADDR_FILE, DEFAULT_TRACKER_LISTEN } from './tracker.js'
export type { TrackerInit } from './tracker.js'
export { Catalogue, toWireItem, mimeTypeOf } from './catalogue/index.js'
export type { CatalogueEntry, CatalogueInit } from './catalogue/index.js'
export { RequestQueue } from './queue/index.js'
export type { RequestQueueInit, Grant, QueueEvent } from './queue/index.js'
export { ProviderIndex } from './providers/index.js'
export { TransferStats } from './transfer-stats.js'
export type { FileTransferStats } from './transfer-stats.js'

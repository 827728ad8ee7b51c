/**
 * The tracker's web app and API (`tracker --http ADDR:PORT`): the page, the catalogue with
 * covers, media streaming with Range, the live dashboard (JSON and Server-Sent Events, with
 * an operator view behind a token) and Prometheus metrics.
 */
export { startTrackerWeb, HTTP_URL_FILE } from './server.js'
export type { TrackerWeb, TrackerWebInit } from './server.js'
export { HTTP_TOKEN_FILE, loadOrCreateToken, tokenMatches } from './token.js'
export { buildDashboard } from './dashboard.js'
export type { Dashboard, DashboardEntry, DashboardPeer } from './dashboard.js'
export { kindOf, catalogueItemView } from './catalogue-view.js'
export type { CatalogueItemView, ItemKind } from './catalogue-view.js'
export type { PeerRateView, WebSource } from './types.js'

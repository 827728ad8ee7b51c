/** File in the tracker's home listing its multiaddrs, one per line. */
export const TRACKER_ADDR_FILE = 'tracker.addr'
/** Default listen address. */
export const DEFAULT_TRACKER_LISTEN = '/ip4/0.0.0.0/tcp/4001'
/** Open inbound connections accepted from one IPv4 address or IPv6 /64. */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 32
/** Sub-folder of the tracker's home holding the operator's admin identity (see `status`). */
export const ADMIN_HOME = 'admin'
/**
 * Connections a tracker keeps open. libp2p's default (300) caps a tracker at 300 connected
 * peers. Sized for 2,000 connected peers with headroom: an idle connection (TCP + Noise +
 * yamux, no stream) costs the tracker roughly 50-100 KB, so 2,500 stay well inside the
 * benchmark's 300 MB RSS target (see `npm run bench:tracker`).
 */
export const DEFAULT_MAX_CONNECTIONS = 2500
/** Inbound connections accepted per second from one host (libp2p's default: 5). */
export const TRACKER_INBOUND_PER_SECOND = 500
/** Inbound connections being upgraded at once (libp2p's default: 10): many peers join at once. */
export const TRACKER_PENDING_CONNECTIONS = 64

/** File in the tracker's home listing its multiaddrs, one per line. */
export const TRACKER_ADDR_FILE = 'tracker.addr'
/** Default listen address. */
export const DEFAULT_TRACKER_LISTEN = '/ip4/0.0.0.0/tcp/4001'
/** Default IPv6 listen address, beside the IPv4 one (skipped on a machine without IPv6). */
export const DEFAULT_TRACKER_LISTEN_V6 = '/ip6/::/tcp/4001'
/** Open inbound connections accepted from one IPv4 address or IPv6 /64. */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 32
/** Sub-folder of the tracker's home holding the operator's admin identity (see `status`). */
export const ADMIN_HOME = 'admin'
/**
 * Connections a tracker keeps open. libp2p's default (300) caps a tracker at 300 connected
 * peers. Sized for the 2,000 connected peers of `npm run bench:tracker` with headroom. Each
 * idle connection (TCP + TLS + yamux, no stream) cost the tracker about 90 KB in that
 * benchmark (2,000 peers: 291 MB RSS idle, 107 MB with none), so 2,500 connections need
 * about 340 MB before any request, and a loaded tracker ~150 MB more (2,000 peers: peak
 * 444 MB): raise it with the memory at hand (`--max-connections`; README, "Connection
 * manager sizing").
 */
export const DEFAULT_MAX_CONNECTIONS = 2500
/** Inbound connections accepted per second from one host (libp2p's default: 5). */
export const TRACKER_INBOUND_PER_SECOND = 500
/** Inbound connections being upgraded at once (libp2p's default: 10): many peers join at once. */
export const TRACKER_PENDING_CONNECTIONS = 64
/**
 * The circuit relay a tracker runs for its own peers (`--relay-slots`, `--relay-max-bytes`,
 * `--relay-max-duration`): enough for coordination and a hole punch (a few KiB over a few
 * seconds), far too little for media, which never goes over a relay.
 */
export const DEFAULT_RELAY = { slots: 64, maxBytes: 128 * 1024, maxDurationMs: 120_000 }

/**
 * A newly connected peer is dialled back once it has its ticket or announces, or after this
 * long: its own requests come first (a dial-back is a TLS handshake on both ends, in the
 * start-up window where many peers arrive at once).
 */
export const DIAL_BACK_DELAY_MS = 5000

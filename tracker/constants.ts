/** File in the tracker's home listing its multiaddrs, one per line. */
export const TRACKER_ADDR_FILE = 'tracker.addr'
/** Default listen address. */
export const DEFAULT_TRACKER_LISTEN = '/ip4/0.0.0.0/tcp/4001'
/** Open inbound connections accepted from one IPv4 address or IPv6 /64. */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 32
/** Sub-folder of the tracker's home holding the operator's admin identity (see `status`). */
export const ADMIN_HOME = 'admin'

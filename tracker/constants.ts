/** File in the tracker's home listing its multiaddrs, one per line. */
export const TRACKER_ADDR_FILE = 'tracker.addr'
/** Default listen address. */
export const DEFAULT_TRACKER_LISTEN = '/ip4/0.0.0.0/tcp/4001'

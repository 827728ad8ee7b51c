/** Concurrent grants (transfer slots) when `slots` is not given. */
export const DEFAULT_SLOTS = 4
/** Waiting requests beyond which new ones are refused with QUEUE_FULL. */
export const DEFAULT_MAX_WAITING = 10_000
/** Waiting + granted requests one peer may hold. */
export const DEFAULT_MAX_PER_PEER = 8
/** Grants one peer may hold at once. */
export const DEFAULT_MAX_ACTIVE_PER_PEER = 1
/** Waiting + granted requests from one source address (IPv4 address or IPv6 /64). */
export const DEFAULT_MAX_PER_SOURCE = 64
/** A grant without progress for this long loses its slot. */
export const DEFAULT_IDLE_MS = 30_000
/** Lifetime of a grant unless renewed or released. */
export const DEFAULT_LEASE_MS = 60_000
/** How long a detached request keeps its place or slot. */
export const DEFAULT_GRACE_MS = 15_000
/** retry-after sent with QUEUE_FULL while no hold time has been measured yet. */
export const DEFAULT_RETRY_AFTER_MS = 5_000
/** Lower bound of a QUEUE_FULL retry-after, so refused peers do not hammer the tracker. */
export const MIN_RETRY_AFTER_MS = 1_000
/** Weight of the newest sample in the hold-time moving average. */
export const HOLD_EWMA_ALPHA = 0.2
/** Largest delay `setTimeout` accepts (2^31 - 1 ms); longer leases or graces are refused. */
export const MAX_TIMER_MS = 2_147_483_647
/** Waiting places told of every move at once; places further back hear within the refresh interval. */
export const DEFAULT_EAGER_POSITIONS = 64
/** Longest a waiting request further back than the eager places goes without hearing its new position. */
export const DEFAULT_POSITION_REFRESH_MS = 1000

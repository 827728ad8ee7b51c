/** The punch protocol: CONNECT/SYNC over a relayed connection, DCUtR's shape. */
export const PUNCH_PROTOCOL = '/mediaswarm/punch/1.0.0'
/** Largest punch message (four addresses fit easily). */
export const MAX_PUNCH_MESSAGE_BYTES = 1024
/** How long the remote may take for each message. */
export const PUNCH_MESSAGE_TIMEOUT_MS = 10_000
/** Simultaneous dials made per punch, and how long each may take (SYNs are retransmitted at 1 s, 3 s). */
export const PUNCH_ATTEMPTS = 3
export const PUNCH_ATTEMPT_TIMEOUT_MS = 3000
/** How long the relay may take to tell us our public address for a punch port. */
export const OBSERVE_TIMEOUT_MS = 10_000
/** After a failed punch with a peer, no new one with it for this long. */
export const PUNCH_COOLDOWN_MS = 60_000
/** Punches running at once, at most (each holds a socket and a relay stream). */
export const MAX_CONCURRENT_PUNCHES = 4
/** Punch ports are picked at random in this range, below Linux's ephemeral ports (32768-60999). */
export const PUNCH_PORT_MIN = 20_000
export const PUNCH_PORT_MAX = 32_767

/** The options and reports of a Peer (peer.ts). */
import type { SessionTuning } from './fetch.js'
import type { HostInit } from '../host/index.js'
import type { HolePunchInit, PunchResult } from '../punch/index.js'
import type { UploadLimiter } from '../protocols/index.js'
import type { ComponentLogger } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Options of {@link Peer}. */
export interface PeerInit {
  /** Home folder: identity key and piece store. */
  home: string
  /** The tracker's addresses (with /p2p/<id> to pin its identity). */
  tracker: Multiaddr[]
  /** Addresses to listen on for other peers. @default [] (no inbound; a `get` that does not reshare) */
  listen?: string[]
  logger?: ComponentLogger
  /** Shared upload limiter for resharing. */
  limiter?: UploadLimiter
  /** Downloaders served at once. @default 8 */
  uploadSlots?: number
  /** How often a running download reports its pieces and learns of new providers. @default 1000 */
  swarmIntervalMs?: number
  /** Told when a sharing peer loses its tracker and when it is back. */
  onTrackerEvent?: (event: TrackerEvent) => void
  /** Pre-shared network key (swarm.key contents); see HostInit. @default undefined (open network) */
  psk?: Uint8Array
  /** PeerIds this peer may connect with (include the tracker's); see HostInit. @default undefined (any) */
  allow?: string[]
  /** Download session timeouts (tests shorten them); see DownloadSessionInit. */
  session?: SessionTuning
  /**
   * Reachability options of the host (see HostInit): `upnp`, `autonat`, `extraTransports`,
   * `extraServices`, and `reserveOn`, which defaults, for a sharing peer, to the tracker
   * addresses that name its PeerId (so the tracker can name it as reachable through its relay).
   */
  host?: Pick<HostInit, 'upnp' | 'autonat' | 'extraTransports' | 'extraServices' | 'reserveOn'>
  /**
   * Upgrade relayed connections to direct ones by hole punching (see HolePunch), or `false`
   * not to. @default {} (on)
   */
  holePunch?: HolePunchInit | false
  /**
   * Start the relay reservation and the router search only once the first fetch has a verified
   * piece (or ends): a `get --seed` has nothing to share before. @default false (at start)
   */
  deferReachability?: boolean
}

/** Hole punches of a peer so far (see PeerInit.holePunch). */
export interface PunchStats {
  succeeded: number
  failed: number
  /** The last punch that worked. */
  last?: PunchResult
}

/** The tracker connection of a peer (lost, and back after a reconnect). */
export type TrackerEvent = { type: 'tracker:lost' } | { type: 'tracker:back', files: number }

import type { UploadLimiter } from '../protocols/transfer/piece-source.js'
import type { BanReason } from './errors.js'
import type { Host } from '../host/index.js'
import type { StoredFile } from '../store/index.js'
import type { Ticket } from '../tickets/index.js'
import type { ComponentLogger } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A node that may serve the file. */
export interface ProviderInfo {
  peerId: string
  multiaddrs: Multiaddr[]
}

/** Progress events, namespaced as in Helia. */
export type DownloadEvent =
  | { type: 'transfer:provider-connected', provider: string, pieces: number }
  | { type: 'transfer:provider-dropped', provider: string, reason: string }
  | { type: 'transfer:provider-banned', provider: string, reason: BanReason, message: string }
  | { type: 'transfer:piece-verified', provider: string, index: number, bytes: number }
  | { type: 'transfer:bad-piece', provider: string, index: number }

/** Options of a {@link DownloadSession}. */
export interface DownloadSessionInit {
  host: Host
  file: StoredFile
  ticket: Ticket
  providers: ProviderInfo[]
  logger: ComponentLogger
  /** Most bytes requested and not yet received, per provider. @default 8 MiB */
  pipelineBytes?: number
  /**
   * Caps the download rate (shared by every provider, and every download it is given to): a
   * received piece takes its bytes from it before more pieces are asked for. Pair it with a
   * `pipelineBytes` of about two seconds' worth. @default undefined (no cap)
   */
  downloadLimiter?: UploadLimiter
  /**
   * The tracker's PeerId: the provider of last resort. It is asked only for pieces no
   * healthy peer holds (and in the endgame), it is never banned, and when its stream drops
   * the session connects to it again by itself, with backoff.
   */
  fallbackProvider?: string
  /**
   * How long a provider may owe a requested piece (before it starts or inside it) before
   * it is banned as stalled. @default PIECE_TIMEOUT_MS
   */
  pieceTimeoutMs?: number
  /**
   * The session's watchdog: after this long without a verified piece, the requests of
   * providers that delivered nothing are released and the fallback serves any piece that
   * is not progressing elsewhere. @default SESSION_STALL_MS
   */
  stallMs?: number
  onProgress?: (event: DownloadEvent) => void
  signal?: AbortSignal
  /** How long to wait for a provider once none is connected. @default NO_PROVIDER_GRACE_MS */
  noProviderGraceMs?: number
  /**
   * How long the peer with the larger PeerId waits for a peer a renewed ticket named to dial
   * it first (see dial-tiebreak.ts); the first ticket's peers are dialled at once. @default DIAL_GRACE_MS
   */
  dialGraceMs?: number
}

/** Once no provider is connected, a renewal may still name new ones (or the tracker comes back from a restart) within this time. */
export const NO_PROVIDER_GRACE_MS = 30_000
/** Default of {@link DownloadSessionInit.stallMs}. */
export const SESSION_STALL_MS = 4000
/** "Not here" answers for claimed pieces a provider may give before it is banned as a liar. */
export const NOT_HERE_TOLERANCE = 2

/** What a finished session reports. */
export interface DownloadResult {
  /** Verified bytes received from each provider. */
  bytesByProvider: Record<string, number>
  /** Providers dropped, with the reason. */
  dropped: Record<string, string>
  /** Providers banned for the session, with the reason. */
  banned: Record<string, BanReason>
  /** Bytes received for pieces already verified (endgame duplicates), not counted in bytesByProvider. */
  duplicateBytes: number
  /** Requests taken back from the fallback because a connected peer announced the piece. */
  fallbackCancels: number
  /** Pieces the tracker sent instead of ones asked (super-seeding substitutes), each verified like any piece. */
  substitutes: number
}

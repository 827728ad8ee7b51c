import type { Catalogue } from '../catalogue/index.js'
import type { ProviderIndex } from '../providers/index.js'
import type { Grant, RequestQueue } from '../queue/index.js'
import type { TicketIssuer } from '../ticket-issuer.js'
import type { TransferStats } from '../transfer-stats.js'
import type { Host } from '../../node/index.js'
import type { Logger } from '@libp2p/interface'

/** What the tracker's protocol handlers share. */
export interface TrackerContext {
  host: Host
  catalogue: Catalogue
  queue: RequestQueue
  providers: ProviderIndex
  tickets: TicketIssuer
  stats: TransferStats
  /** Whether a PeerId sees the operator's view of the status (who queued and holds what). */
  isAdmin: (peerId: string) => boolean
  /** Told when a ticket was written to its stream; see TrackerInit.onTicketSent. */
  onTicketSent?: (event: TicketSentEvent) => void
  /** Told of each queue request refused, with the refusal's name (metrics). */
  onRefused?: (refusal: string) => void
  log: Logger
}

/** A ticket written to its requester. */
export interface TicketSentEvent {
  grant: Grant
  /** The request waited in line (its slot was freed by another grant ending). */
  waited: boolean
  /** When the queue granted it (performance.now(): orders grants exactly). */
  grantedAt: number
  /** From the queue's grant (the slot freed) to the ticket written to the stream. */
  latencyMs: number
  /** The ticket was signed and handed to the stream in the grant event's own turn (no address to read, room in the stream). */
  inGrantTurn: boolean
}

import type { Catalogue } from '../catalogue/index.js'
import type { ProviderIndex } from '../providers/index.js'
import type { RequestQueue } from '../queue/index.js'
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
  log: Logger
}

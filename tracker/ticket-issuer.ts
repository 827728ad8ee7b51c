import { CID } from 'multiformats/cid'
import { signTicket, signTicketSync } from '../node/index.js'
import { fastSigner } from './fast-signer.js'
import { peerIds } from './providers/peer-ids.js'
import { ownBytes } from '../node/own-bytes.js'
import { addressesFor } from './providers/reachable-addresses.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ProviderIndex } from './providers/index.js'
import type { Grant, QueueRequestKey } from './queue/index.js'
import type { Host, Ticket, TicketFields, TicketProviderInfo } from '../node/index.js'
import type { PrivateKey } from '@libp2p/interface'

/** Most providers a ticket names (the tracker included). */
export const MAX_TICKET_PROVIDERS = 16
/**
 * How long a peer's known addresses (or their absence) are reused before the peer store is
 * asked again (a ticket issued in the grant's own turn uses older ones and has them read
 * again); any change to the peer in the peer store (identify done, a dial-back) replaces
 * them at once with the ones the change event carries. The tracker's own addresses are
 * cached as long.
 */
const ADDRESS_CACHE_MS = 5000
/** Peers whose addresses are cached, at most (the oldest entry goes first). */
const ADDRESS_CACHE_SIZE = 10_000
/** Tickets of one request that stay valid: the newest, and the one before in case the answer to a renewal was lost. */
const LIVE_TICKETS_PER_REQUEST = 2

/** The request a ticket was issued for. */
export type TicketRequest = QueueRequestKey & { cid: string }

/** What the issuer asks of the queue. */
export interface GrantView {
  isGranted: (key: QueueRequestKey) => boolean
  /** Peers holding a grant for a cid now. */
  grantedPeers: (cid: string) => string[]
}

const requestKey = (key: QueueRequestKey): string => `${key.peerId}\n${key.requestId}`
const hex = (id: Uint8Array): string => Buffer.from(id).toString('hex')

/**
 * Signs tickets for grants, naming as providers the peers that hold the file and may be
 * named (see ProviderIndex) and can be dialled (they have addresses), complete holders
 * first, then the co-downloaders (other peers granted the same file now, so downloaders find
 * each other from their first ticket instead of waiting for renewals), the tracker last; remembers which request each ticket belongs to, and which
 * tickets are live (see {@link isLive}).
 */
export class TicketIssuer {
  readonly #key: PrivateKey
  readonly #host: Host
  readonly #providers: ProviderIndex
  readonly #queue: GrantView
  readonly #byId = new Map<string, TicketRequest>()
  /** Ticket ids of each request, oldest first, at most LIVE_TICKETS_PER_REQUEST. */
  readonly #byRequest = new Map<string, string[]>()
  readonly #onIssued?: () => void
  /** peer -> its addresses (empty: not dialable) and when they were read. */
  readonly #addresses = new Map<string, { at: number, multiaddrs: Uint8Array[] }>()
  /** The tracker's own addresses as tickets name them, and when they were read. */
  #self?: { at: number, multiaddrs: Uint8Array[], all: Multiaddr[] }
  /** Peers whose addresses are being read from the peer store. */
  readonly #reading = new Set<string>()
  readonly #onPeerUpdate = (evt: CustomEvent<{ peer: { id: { toString: () => string }, addresses?: Array<{ multiaddr: { bytes: Uint8Array } }> } }>): void => {
    const { id, addresses } = evt.detail.peer
    // the event carries the peer as stored now: the next ticket naming it need not ask
    if (addresses == null) this.#addresses.delete(id.toString())
    else this.#cache(id.toString(), Date.now(), addresses.slice(0, 32).map(a => a.multiaddr.bytes))
  }

  readonly #onSelfUpdate = (): void => { this.#self = undefined }

  /** `onIssued` is told after each ticket (the tracker saves its state then). */
  constructor (key: PrivateKey, host: Host, providers: ProviderIndex, queue: GrantView, onIssued?: () => void) {
    this.#key = fastSigner(key)
    this.#host = host
    this.#providers = providers
    this.#queue = queue
    this.#onIssued = onIssued
    host.addEventListener('peer:update', this.#onPeerUpdate)
    host.addEventListener('self:peer:update', this.#onSelfUpdate)
  }

  /** Stops following the peer store. */
  stop (): void {
    this.#host.removeEventListener('peer:update', this.#onPeerUpdate)
    this.#host.removeEventListener('self:peer:update', this.#onSelfUpdate)
  }

  /**
   * A ticket for `grant` signed in the caller's own turn of the event loop (the queue handler
   * writes it from the grant event), or undefined when that cannot be: a provider's addresses
   * are not cached, or the key signs asynchronously. {@link issue} does it then.
   */
  issueNow (grant: Grant): Ticket | undefined {
    this.#providers.granted(grant.peerId, grant.cid)
    const now = Date.now()
    // any address read, however old: the peer store's change events have kept it current;
    // one past ADDRESS_CACHE_MS is read again for the tickets after
    const providers = this.#providersFrom(grant, peer => {
      const cached = this.#addresses.get(peer)
      if (cached != null && now - cached.at >= ADDRESS_CACHE_MS && !this.#reading.has(peer)) void this.#addressesOf(peer)
      return cached?.multiaddrs
    })
    if (typeof providers === 'string') return undefined
    let ticket: Ticket
    try {
      ticket = signTicketSync(this.#key, this.#fields(grant, providers), this.#host.peerId.toString())
    } catch {
      return undefined
    }
    return this.#issued(grant, ticket)
  }

  async issue (grant: Grant): Promise<Ticket> {
    this.#providers.granted(grant.peerId, grant.cid)
    // each round reads the addresses of one more peer: it ends
    const read = new Map<string, Uint8Array[]>()
    let providers = this.#providersFrom(grant, peer => read.get(peer) ?? this.#cached(peer, Date.now()))
    while (typeof providers === 'string') {
      read.set(providers, await this.#addressesOf(providers))
      providers = this.#providersFrom(grant, peer => read.get(peer) ?? this.#cached(peer, Date.now()))
    }
    const ticket = await signTicket(this.#key, this.#fields(grant, providers), this.#host.peerId.toString())
    return this.#issued(grant, ticket)
  }

  /**
   * The providers a ticket for `grant` names, or the first peer whose addresses `known` does
   * not give (they are needed first).
   */
  #providersFrom (grant: Grant, known: (peer: string) => Uint8Array[] | undefined): TicketProviderInfo[] | string {
    const self = this.#host.peerId.toString()
    const providers: TicketProviderInfo[] = []
    const seen = new Set([self, grant.peerId])
    const reachable = addressesFor(this.#host, grant.peerId, () => this.#ownMultiaddrs())
    // a few more holders than room (some may have no address), then the co-downloaders
    const holders = this.#providers.providers(grant.cid, grant.peerId, 2 * MAX_TICKET_PROVIDERS).map(p => p.peer)
    const coDownloaders = this.#queue.grantedPeers(grant.cid).filter(p => this.#providers.mayName(p, grant.peerId))
    for (const peer of [...holders, ...coDownloaders]) {
      if (seen.has(peer)) continue
      seen.add(peer)
      if (providers.length >= MAX_TICKET_PROVIDERS - 1) break
      const addresses = known(peer)
      if (addresses == null) return peer
      const multiaddrs = reachable(peer, addresses)
      // a peer nobody can dial is no provider
      if (multiaddrs.length > 0) providers.push({ peerId: peer, multiaddrs })
    }
    providers.push({ peerId: self, multiaddrs: this.#ownAddresses() })
    return providers
  }

  #fields (grant: Grant, providers: TicketProviderInfo[]): TicketFields {
    return { cid: CID.parse(grant.cid), holder: grant.peerId, expiresAt: grant.expiresAt, providers }
  }

  #issued (grant: Grant, ticket: Ticket): Ticket {
    this.#remember(hex(ticket.ticketId), { peerId: grant.peerId, requestId: grant.requestId, cid: grant.cid })
    // the holder is a co-downloader in the next tickets for its file: its addresses are read now
    if (this.#cached(grant.peerId, Date.now()) == null && !this.#reading.has(grant.peerId)) void this.#addressesOf(grant.peerId)
    this.#onIssued?.()
    return ticket
  }

  #remember (id: string, request: TicketRequest): void {
    const rk = requestKey(request)
    const ids = this.#byRequest.get(rk) ?? []
    ids.push(id)
    while (ids.length > LIVE_TICKETS_PER_REQUEST) this.#byId.delete(ids.shift() as string)
    this.#byRequest.set(rk, ids)
    this.#byId.set(id, request)
  }

  /**
   * The tracker's own addresses (at most 8), cached: libp2p's address manager works them out
   * afresh at each call, about a fifth of issue()'s time (every grant and renewal) before.
   */
  #ownAddresses (): Uint8Array[] {
    return this.#own().multiaddrs
  }

  /** The host's addresses (the relay paths a ticket names go through them), cached as its own. */
  #ownMultiaddrs (): Multiaddr[] {
    return this.#own().all
  }

  #own (): { multiaddrs: Uint8Array[], all: Multiaddr[] } {
    const now = Date.now()
    if (this.#self == null || now - this.#self.at >= ADDRESS_CACHE_MS) {
      const all = this.#host.getMultiaddrs()
      this.#self = { at: now, all, multiaddrs: all.slice(0, 8).map(m => m.decapsulateCode(421).bytes) }
    }
    return this.#self
  }

  /** A peer's addresses when cached and fresh. */
  #cached (peer: string, now: number): Uint8Array[] | undefined {
    const cached = this.#addresses.get(peer)
    return cached != null && now - cached.at < ADDRESS_CACHE_MS ? cached.multiaddrs : undefined
  }

  #cache (peer: string, at: number, multiaddrs: Uint8Array[]): void {
    this.#addresses.delete(peer)
    this.#addresses.set(peer, { at, multiaddrs: multiaddrs.map(ownBytes) })
    if (this.#addresses.size > ADDRESS_CACHE_SIZE) {
      const [oldest] = this.#addresses.keys()
      this.#addresses.delete(oldest)
    }
  }

  /** A peer's addresses (at most 32; addressesFor picks those for the requester), from the peer store, cached briefly: every ticket asks. */
  async #addressesOf (peer: string): Promise<Uint8Array[]> {
    const now = Date.now()
    const cached = this.#cached(peer, now)
    if (cached != null) return cached
    let multiaddrs: Uint8Array[] = []
    const before = this.#addresses.get(peer)
    this.#reading.add(peer)
    try {
      const p = await this.#host.peerStore.get(peerIds.get(peer))
      multiaddrs = p.addresses.slice(0, 32).map(a => a.multiaddr.bytes)
    } catch {
    } finally {
      this.#reading.delete(peer)
    }
    // the peer changed while it was read: its change event cached the newer addresses
    const during = this.#addresses.get(peer)
    if (during !== before && during != null) return during.multiaddrs
    this.#cache(peer, now, multiaddrs)
    return multiaddrs
  }

  /** The request a ticket was issued for. */
  requestOf (ticketId: Uint8Array): TicketRequest | undefined {
    return this.#byId.get(hex(ticketId))
  }

  /** The cid of a request that has (or recently had) a ticket. */
  cidOf (key: QueueRequestKey): string | undefined {
    const ids = this.#byRequest.get(requestKey(key))
    return ids == null ? undefined : this.#byId.get(ids[ids.length - 1])?.cid
  }

  /**
   * Whether the tracker still honours `ticket`: its request holds a grant now, and the ticket
   * is one of that request's two newest. A DONE, an expiry or a newer pair of tickets ends it.
   */
  isLive (ticket: Pick<Ticket, 'ticketId'>): boolean {
    const request = this.#byId.get(hex(ticket.ticketId))
    return request != null && this.#queue.isGranted(request)
  }

  /** Live tickets and their requests, to save across a restart. */
  save (): Record<string, TicketRequest> {
    return Object.fromEntries(this.#byId)
  }

  /** Puts back tickets saved before a restart. */
  restore (saved: Record<string, TicketRequest>): void {
    for (const [id, key] of Object.entries(saved)) {
      if (/^[0-9a-f]{1,128}$/.test(id) && typeof key?.peerId === 'string' && typeof key.requestId === 'string' && typeof key.cid === 'string') {
        this.#remember(id, { peerId: key.peerId, requestId: key.requestId, cid: key.cid })
      }
    }
  }

  /** Forgets tickets whose request is no longer in the queue. */
  prune (live: (key: QueueRequestKey) => boolean): void {
    for (const [rk, ids] of this.#byRequest) {
      const request = this.#byId.get(ids[ids.length - 1])
      if (request == null || !live(request)) this.#drop(rk, ids)
    }
  }

  /** Forgets every ticket of a request (after done or expiry): none of them is live after. */
  forget (key: QueueRequestKey): void {
    const rk = requestKey(key)
    const ids = this.#byRequest.get(rk)
    if (ids != null) this.#drop(rk, ids)
  }

  #drop (rk: string, ids: string[]): void {
    for (const id of ids) this.#byId.delete(id)
    this.#byRequest.delete(rk)
  }
}

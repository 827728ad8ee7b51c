import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { signTicket } from '../node/index.js'
import type { ProviderIndex } from './providers/index.js'
import type { Grant, QueueRequestKey } from './queue/index.js'
import type { Host, Ticket, TicketProviderInfo } from '../node/index.js'
import type { PrivateKey } from '@libp2p/interface'

/** Most providers a ticket names (the tracker included). */
export const MAX_TICKET_PROVIDERS = 16

/**
 * Signs tickets for grants, naming as providers the peers that hold the file (complete
 * ones first) and the tracker last, and remembers which request each ticket belongs to.
 */
export class TicketIssuer {
  readonly #key: PrivateKey
  readonly #host: Host
  readonly #providers: ProviderIndex
  readonly #byId = new Map<string, QueueRequestKey & { cid: string }>()

  readonly #onIssued?: () => void

  /** `onIssued` is told after each ticket (the tracker saves its state then). */
  constructor (key: PrivateKey, host: Host, providers: ProviderIndex, onIssued?: () => void) {
    this.#key = key
    this.#host = host
    this.#providers = providers
    this.#onIssued = onIssued
  }

  async issue (grant: Grant): Promise<Ticket> {
    const self = this.#host.peerId.toString()
    const providers: TicketProviderInfo[] = []
    for (const { peer } of this.#providers.providers(grant.cid)) {
      if (peer === grant.peerId || peer === self) continue
      if (providers.length >= MAX_TICKET_PROVIDERS - 1) break
      providers.push({ peerId: peer, multiaddrs: await this.#addressesOf(peer) })
    }
    providers.push({ peerId: self, multiaddrs: this.#host.getMultiaddrs().slice(0, 8).map(m => m.decapsulateCode(421).bytes) })
    const ticket = await signTicket(this.#key, {
      cid: CID.parse(grant.cid),
      holder: grant.peerId,
      expiresAt: grant.expiresAt,
      providers
    }, self)
    // a request keeps its newest ticket and the one before (in case the answer to a renewal
    // was lost), so renewals do not pile up for the length of a download
    const mine = [...this.#byId].filter(([, k]) => k.peerId === grant.peerId && k.requestId === grant.requestId)
    for (const [id] of mine.slice(0, -1)) this.#byId.delete(id)
    this.#byId.set(Buffer.from(ticket.ticketId).toString('hex'), { peerId: grant.peerId, requestId: grant.requestId, cid: grant.cid })
    this.#onIssued?.()
    return ticket
  }

  async #addressesOf (peer: string): Promise<Uint8Array[]> {
    try {
      const p = await this.#host.peerStore.get(peerIdFromString(peer))
      return p.addresses.slice(0, 8).map(a => a.multiaddr.bytes)
    } catch {
      return []
    }
  }

  /** The request a ticket was issued for. */
  requestOf (ticketId: Uint8Array): (QueueRequestKey & { cid: string }) | undefined {
    return this.#byId.get(Buffer.from(ticketId).toString('hex'))
  }

  /** Live tickets and their requests, to save across a restart. */
  save (): Record<string, QueueRequestKey & { cid: string }> {
    return Object.fromEntries(this.#byId)
  }

  /** Puts back tickets saved before a restart. */
  restore (saved: Record<string, QueueRequestKey & { cid: string }>): void {
    for (const [id, key] of Object.entries(saved)) {
      if (/^[0-9a-f]{1,128}$/.test(id) && typeof key?.peerId === 'string' && typeof key.requestId === 'string' && typeof key.cid === 'string') {
        this.#byId.set(id, { peerId: key.peerId, requestId: key.requestId, cid: key.cid })
      }
    }
  }

  /** Forgets tickets whose request is no longer in the queue. */
  prune (live: (key: QueueRequestKey) => boolean): void {
    for (const [id, key] of this.#byId) if (!live(key)) this.#byId.delete(id)
  }

  /** Forgets every ticket of a request (after done or expiry). */
  forget (key: QueueRequestKey): void {
    for (const [id, k] of this.#byId) {
      if (k.peerId === key.peerId && k.requestId === key.requestId) this.#byId.delete(id)
    }
  }
}

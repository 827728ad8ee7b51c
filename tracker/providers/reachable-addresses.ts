import { getNetConfig, isLinkLocal, isLoopback, isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { classifyReachability } from '../../node/index.js'
import { peerIds } from './peer-ids.js'
import type { Host, Reachability } from '../../node/index.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Addresses a ticket names per provider, at most (the ticket format allows 16). */
export const MAX_ADDRESSES_PER_PROVIDER = 8
/** Relay addresses per provider, at most (one per address family is plenty). */
const MAX_RELAY_ADDRESSES = 2

/** Everything the address choice depends on; see {@link chooseAddresses}. */
export interface AddressChoice {
  /** The provider's PeerId. */
  provider: string
  /** What the provider advertises (identify: its listen addresses, mapped ports, relay addresses). */
  advertised: Multiaddr[]
  /** Where the provider's connection to the tracker comes from. */
  providerObserved?: Multiaddr
  /** Where the requester's connection to the tracker comes from. */
  requesterObserved?: Multiaddr
  /** The tracker sees the provider at an address it listens on (no NAT between them). */
  providerSeenAtOwnAddress?: boolean
  /** The same for the requester. */
  requesterSeenAtOwnAddress?: boolean
  /** Provider addresses the tracker dialled back successfully. */
  confirmed: Multiaddr[]
  /** The tracker's PeerId and addresses, when the provider holds a slot on its relay. */
  relay?: { tracker: string, addresses: Multiaddr[] }
}

interface Where { family: string, host: string, loopback: boolean }

function where (ma: Multiaddr | undefined): Where | undefined {
  if (ma == null) return undefined
  try {
    const c = getNetConfig(ma)
    if (c.type !== 'ip4' && c.type !== 'ip6') return undefined
    return { family: c.type, host: c.host, loopback: isLoopback(ma) }
  } catch {
    return undefined
  }
}

const isCircuit = (ma: Multiaddr): boolean => ma.toString().includes('/p2p-circuit')
const isPublic = (ma: Multiaddr): boolean => !isPrivate(ma) && !isLoopback(ma) && !isLinkLocal(ma)

/**
 * The provider addresses a ticket may give this requester, best first:
 * 1. addresses the tracker dialled back (its public IP and listening or mapped port);
 * 2. public addresses it advertises (not private, loopback or link-local);
 * 3. its private and loopback addresses, only to a requester behind the same observed IP
 *    (the same NAT; on one machine, loopback to loopback), or when the tracker sees both
 *    at addresses they listen on (no NAT between either and the tracker: one LAN); to
 *    anyone else they name some other network's hosts, or the requester itself;
 * 4. the tracker's relay (`<tracker>/p2p-circuit/p2p/<provider>`) when the provider holds a
 *    slot on it, through tracker addresses the requester can use. Relayed connections are
 *    limited: they carry coordination and hole punching, never media.
 * The relay addresses the provider advertises itself are not passed on: they embed every
 * tracker address, loopback included.
 */
export function chooseAddresses (choice: AddressChoice): Multiaddr[] {
  const out = new Map<string, Multiaddr>()
  const add = (ma: Multiaddr): void => {
    const plain = ma.toString().endsWith(`/p2p/${choice.provider}`) ? ma.decapsulateCode(421) : ma
    if (out.size < MAX_ADDRESSES_PER_PROVIDER) out.set(plain.toString(), plain)
  }
  const requester = where(choice.requesterObserved)
  const provider = where(choice.providerObserved)
  const sameNetwork = requester != null && provider != null &&
    (requester.host === provider.host || (requester.loopback && provider.loopback) ||
      // neither is behind a NAT as the tracker sees them: both on the network the tracker is on
      (choice.providerSeenAtOwnAddress === true && choice.requesterSeenAtOwnAddress === true && requester.family === provider.family))
  for (const ma of choice.confirmed) add(ma)
  const direct = choice.advertised.filter(ma => !isCircuit(ma) && where(ma) != null)
  for (const ma of direct) if (isPublic(ma)) add(ma)
  if (sameNetwork) {
    for (const ma of direct) {
      if (isPublic(ma)) continue
      // a provider's loopback is the requester's own machine only when both are on the tracker's
      if (isLoopback(ma) && !(requester.loopback && provider.loopback)) continue
      add(ma)
    }
  }
  if (choice.relay != null) {
    let n = 0
    for (const t of choice.relay.addresses) {
      const w = where(t)
      if (w == null || isCircuit(t) || isLinkLocal(t) || n >= MAX_RELAY_ADDRESSES) continue
      if (requester != null && (w.family !== requester.family || (w.loopback && !requester.loopback))) continue
      if (requester == null && w.loopback) continue
      const base = t.toString().includes('/p2p/') ? t.decapsulateCode(421) : t
      add(multiaddr(`${base.toString()}/p2p/${choice.relay.tracker}/p2p-circuit`))
      n++
    }
  }
  return [...out.values()]
}

/** Where a peer's direct connection to this host comes from. */
function observedOf (host: Host, peer: string): Multiaddr | undefined {
  try {
    const conn = host.getConnections(peerIds.get(peer)).find(c => c.limits == null && !isCircuit(c.remoteAddr))
    return conn?.remoteAddr
  } catch {
    return undefined
  }
}

/** Advertised address lists (the ticket issuer's cached snapshots, never changed in place) decoded once. */
const decodedLists = new WeakMap<Uint8Array[], Multiaddr[]>()

function decodeAll (advertised: Uint8Array[]): Multiaddr[] {
  let decoded = decodedLists.get(advertised)
  if (decoded == null) {
    decoded = advertised.flatMap(bytes => {
      try { return [multiaddr(bytes)] } catch { return [] }
    })
    decodedLists.set(advertised, decoded)
  }
  return decoded
}

/**
 * For one requester (one ticket), a function giving the addresses of a provider the ticket
 * names (encoded), from the provider's advertised addresses (`advertised`, from the peer
 * store) and what the tracker's host knows: its dial-back results, both peers' connections,
 * its relay's reservations (see {@link chooseAddresses}). What depends only on the requester
 * or on this host (where the requester's connection comes from, the tracker's own addresses
 * for relay paths, which `ownAddresses` may give from a cache) is looked up once, not per
 * provider.
 */
export function addressesFor (host: Host, requester: string, ownAddresses: () => Multiaddr[] = () => host.getMultiaddrs()): (provider: string, advertised: Uint8Array[]) => Uint8Array[] {
  let requesterSide: { observed?: Multiaddr, seenAtOwnAddress?: boolean } | undefined
  let own: Multiaddr[] | undefined
  return (provider, advertised) => {
    const decoded = decodeAll(advertised)
    const info = host.services.reachability?.info(provider)
    const onRelay = reserved(host, provider)
    // nothing to name (the usual case of a co-downloader that does not listen): skip the
    // connection lookups
    if (decoded.length === 0 && (info?.confirmed ?? []).length === 0 && !onRelay) return []
    requesterSide ??= { observed: observedOf(host, requester), seenAtOwnAddress: host.services.reachability?.info(requester)?.seenAtOwnAddress }
    if (onRelay) own ??= ownAddresses()
    return chooseAddresses({
      providerSeenAtOwnAddress: info?.seenAtOwnAddress,
      requesterSeenAtOwnAddress: requesterSide.seenAtOwnAddress,
      provider,
      advertised: decoded,
      providerObserved: info?.observed ?? observedOf(host, provider),
      requesterObserved: requesterSide.observed,
      confirmed: info?.confirmed ?? [],
      relay: onRelay && own != null ? { tracker: host.peerId.toString(), addresses: own } : undefined
    }).map(ma => ma.bytes)
  }
}

/** Whether a peer holds a slot on this host's relay. */
function reserved (host: Host, peer: string): boolean {
  try {
    return host.services.relay?.reservations.has(peerIds.get(peer)) ?? false
  } catch {
    return false
  }
}

/** How a connected peer can be reached, as the tracker knows it; see classifyReachability. */
export function reachabilityOf (host: Host, peer: string): Reachability {
  return classifyReachability(host.services.reachability?.info(peer), reserved(host, peer))
}

/** Peers counted by reachability (the keys of the dashboard's `byReachability`). */
export interface ReachabilityCounts { public: number, upnp: number, holePunched: number, relayOnly: number, unknown: number }

const KEYS: Record<Reachability, keyof ReachabilityCounts> = { public: 'public', upnp: 'upnp', 'hole-punched': 'holePunched', 'relay-only': 'relayOnly', unknown: 'unknown' }

/** `peers` counted by how they can be reached. */
export function reachabilityCounts (host: Host, peers: string[]): ReachabilityCounts {
  const counts: ReachabilityCounts = { public: 0, upnp: 0, holePunched: 0, relayOnly: 0, unknown: 0 }
  for (const p of peers) counts[KEYS[reachabilityOf(host, p)]]++
  return counts
}

import { REACHABILITIES } from '../../node/index.js'
import { reachabilityOf as trackerReachability } from '../providers/reachable-addresses.js'
import type { Host, Reachability } from '../../node/index.js'
import type { Connection } from '@libp2p/interface'

export { REACHABILITIES }
export type { Reachability }

/** Tells the reachability of a connected peer (its PeerId string) from what the tracker knows and its open connections. */
export type ReachabilityOf = (peer: string, connections: Connection[]) => Reachability

/** A relayed connection: limited by the relay, or dialled through a circuit address. */
function relayed (connection: Connection): boolean {
  return connection.limits != null || connection.remoteAddr.toString().includes('/p2p-circuit')
}

/**
 * What the tracker knows of a peer: its dial-backs and the peer's self-report, and whether
 * it holds a slot on the tracker's relay (see tracker/providers/reachable-addresses.ts); a
 * peer the tracker knows nothing of whose every connection is relayed is `relay-only`.
 */
export function defaultReachability (host: Host): ReachabilityOf {
  return (peer, connections) => {
    const known = trackerReachability(host, peer)
    if (known !== 'unknown') return known
    return connections.length > 0 && connections.every(relayed) ? 'relay-only' : 'unknown'
  }
}

/** Camel-case keys of the dashboard's `byReachability`. */
export function reachabilityKey (r: Reachability): 'public' | 'upnp' | 'holePunched' | 'relayOnly' | 'unknown' {
  return r === 'hole-punched' ? 'holePunched' : r === 'relay-only' ? 'relayOnly' : r
}

/** Connected peers, each with its reachability. */
export interface ConnectedPeers {
  count: number
  byReachability: Record<Reachability, number>
  peers: Array<{ peer: string, reachability: Reachability }>
}

/** Groups a host's open connections by peer and tells each peer's reachability. */
export function connectedPeers (connections: Connection[], reachabilityOf: ReachabilityOf): ConnectedPeers {
  const byPeer = new Map<string, Connection[]>()
  for (const c of connections) {
    const key = c.remotePeer.toString()
    let list = byPeer.get(key)
    if (list == null) { list = []; byPeer.set(key, list) }
    list.push(c)
  }
  const byReachability = Object.fromEntries(REACHABILITIES.map(r => [r, 0])) as Record<Reachability, number>
  const peers: ConnectedPeers['peers'] = []
  for (const [peer, conns] of byPeer) {
    const reachability = reachabilityOf(peer, conns)
    byReachability[reachability]++
    peers.push({ peer, reachability })
  }
  return { count: byPeer.size, byReachability, peers }
}

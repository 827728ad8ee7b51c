import type { Connection, PeerId } from '@libp2p/interface'

/**
 * How a connected peer can be reached, by the names used everywhere (status, dashboard,
 * metrics): directly on a public address, through a UPnP mapping, through a hole punched by
 * DCUtR, only through a relay, or not known.
 */
export type Reachability = 'public' | 'upnp' | 'hole-punched' | 'relay-only' | 'unknown'

/** Every reachability, in the order they are listed. */
export const REACHABILITIES: readonly Reachability[] = ['public', 'upnp', 'hole-punched', 'relay-only', 'unknown']

/** Tells the reachability of a connected peer from its open connections. */
export type ReachabilityOf = (peer: PeerId, connections: Connection[]) => Reachability

/** A relayed connection: limited by the relay, or dialled through a circuit address. */
function relayed (connection: Connection): boolean {
  return connection.limits != null || connection.remoteAddr.toString().includes('/p2p-circuit')
}

/**
 * What the tracker can tell on its own: a peer whose every connection is relayed is
 * `relay-only`; anything else is `unknown` until a reachability source (AutoNAT, UPnP, DCUtR
 * results) is plugged in through TrackerInit.reachabilityOf.
 */
export const defaultReachability: ReachabilityOf = (_peer, connections) => {
  if (connections.length > 0 && connections.every(relayed)) return 'relay-only'
  return 'unknown'
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
  const byPeer = new Map<string, { id: PeerId, connections: Connection[] }>()
  for (const c of connections) {
    const key = c.remotePeer.toString()
    let entry = byPeer.get(key)
    if (entry == null) { entry = { id: c.remotePeer, connections: [] }; byPeer.set(key, entry) }
    entry.connections.push(c)
  }
  const byReachability = Object.fromEntries(REACHABILITIES.map(r => [r, 0])) as Record<Reachability, number>
  const peers: ConnectedPeers['peers'] = []
  for (const [peer, { id, connections: conns }] of byPeer) {
    const reachability = reachabilityOf(id, conns)
    byReachability[reachability]++
    peers.push({ peer, reachability })
  }
  return { count: byPeer.size, byReachability, peers }
}

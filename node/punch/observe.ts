import { multiaddr } from '@multiformats/multiaddr'
import { connectFrom } from './simultaneous-open.js'
import { SocketConnection } from './socket-connection.js'
import type { Endpoint } from './simultaneous-open.js'
import type { Connection, IdentifyResult, Libp2pEvents, Logger, TypedEventTarget, Upgrader } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What {@link observePort} needs of the libp2p node. */
export interface ObserveComponents {
  upgrader: Upgrader
  events: TypedEventTarget<Libp2pEvents>
}

const IP_CODES = new Set([4, 41]) // ip4, ip6
const TCP_CODE = 6
const P2P_CODE = 421
const CIRCUIT_CODE = 290

/**
 * The relay a relayed connection runs through, as a TCP endpoint and multiaddr
 * (`/ip4/…/tcp/…[/p2p/relay]`), from the connection's remote address
 * (`<relay>/p2p-circuit/p2p/<peer>`); undefined when the relay is not reached over IP and TCP.
 */
export function relayOf (remoteAddr: Multiaddr): { endpoint: Endpoint, addr: Multiaddr } | undefined {
  const components = remoteAddr.getComponents()
  const circuit = components.findIndex(c => c.code === CIRCUIT_CODE)
  if (circuit < 2) return undefined
  const relay = components.slice(0, circuit)
  const [ip, tcp] = relay
  if (!IP_CODES.has(ip.code) || tcp.code !== TCP_CODE || ip.value == null || tcp.value == null) return undefined
  if (relay.slice(2).some(c => c.code !== P2P_CODE)) return undefined
  return { endpoint: { host: ip.value, port: Number(tcp.value) }, addr: multiaddr(relay) }
}

/** A TCP endpoint from an `/ip4|ip6/…/tcp/…` multiaddr (anything after is ignored); undefined otherwise. */
export function endpointOf (addr: Multiaddr): Endpoint | undefined {
  const [ip, tcp] = addr.getComponents()
  if (ip == null || tcp == null || !IP_CODES.has(ip.code) || tcp.code !== TCP_CODE || ip.value == null || tcp.value == null) return undefined
  const port = Number(tcp.value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined
  return { host: ip.value, port }
}

/**
 * Learns the public address of `localPort`: opens a libp2p connection from that port to the
 * relay (the tracker), waits for identify, which tells us the address the relay saw us at
 * (behind a NAT: the router's address and the port it mapped ours to), and closes the
 * connection. A NAT that maps per destination gives another port to every peer, so the
 * address learned here does not reach us from them: the punch then fails, as it must.
 */
export async function observePort (components: ObserveComponents, relay: { endpoint: Endpoint, addr: Multiaddr }, localPort: number, log: Logger, signal: AbortSignal): Promise<Multiaddr> {
  const socket = await connectFrom(relay.endpoint, localPort, 5000, signal)
  let connection: Connection | undefined
  // identify runs as soon as the connection opens: listen before the upgrade ends
  const results: IdentifyResult[] = []
  let wake = (): void => {}
  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => { results.push(evt.detail); wake() }
  components.events.addEventListener('peer:identify', onIdentify)
  try {
    const maConn = new SocketConnection({ socket, remoteAddr: relay.addr, direction: 'outbound', log: log.newScope('observe') })
    connection = await components.upgrader.upgradeOutbound(maConn, { signal })
    const id = connection.id
    const result = await new Promise<IdentifyResult>((resolve, reject) => {
      wake = () => {
        const mine = results.find(r => r.connection.id === id)
        if (mine != null) resolve(mine)
      }
      wake()
      signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
    })
    if (result.observedAddr == null || endpointOf(result.observedAddr) == null) throw new Error(`the relay did not tell us a TCP address (it said ${String(result.observedAddr)})`)
    return result.observedAddr
  } finally {
    components.events.removeEventListener('peer:identify', onIdentify)
    if (connection != null) await connection.close().catch(() => {})
    else socket.destroy()
  }
}

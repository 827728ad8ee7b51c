import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { mplex } from '@libp2p/mplex'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { createLibp2p } from 'libp2p'
import { CompactMemoryDatastore } from './compact-datastore.js'
import { lazyNoise } from './lazy-noise.js'
import { peerStoreSweep } from './peer-store-sweep.js'
import { relayReservations } from './relay-reservations.js'
import { connectionUpgrades } from './self-reachability.js'
import type { DialBackProbe, PeerReachabilityInit, PeerReachabilityService } from './peer-reachability.js'
import type { PortMappingInit, PortMappingState } from './port-mapping.js'
import type { ConnectionUpgradesState } from './self-reachability.js'
import type { PeerStoreSweepState } from './peer-store-sweep.js'
import type { RelayReservationsState } from './relay-reservations.js'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Identify } from '@libp2p/identify'
import type { ComponentLogger, ConnectionGater, Libp2p, PeerId, PrivateKey, Transport } from '@libp2p/interface'
import type { ConnectionMonitorInit, Libp2pInit } from 'libp2p'
import type { Ping } from '@libp2p/ping'

/**
 * Services of a mediaswarm host: identify, ping and upgrades (relayed connections made
 * direct) always; the others as HostInit asks (`relay` on a tracker with `relay.server`,
 * `reachability` with `checkReachability`, `relayReservations` with `reserveOn`,
 * `portMapping` with `upnp`, `autonat` unless `autonat: false`).
 */
export interface HostServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  upgrades?: ConnectionUpgradesState
  reachability?: PeerReachabilityService
  relay?: CircuitRelayService
  /** The limits `relay` was started with. */
  relayLimits?: RelayServerInit
  relayReservations?: RelayReservationsState
  portMapping?: PortMappingState
  autonat?: unknown
  /** Drops expired peer store records of departed peers every 30 minutes. */
  peerStoreSweep?: PeerStoreSweepState
}

/** Limits of the circuit relay v2 server a tracker runs for its own peers. */
export interface RelayServerInit {
  /** Reservations held at once (peers reachable through the relay); more are refused. */
  slots: number
  /** Bytes relayed per relayed connection (both directions), then it is reset. */
  maxBytes: number
  /** How long a relayed connection may last, then it is reset. */
  maxDurationMs: number
}

/** A libp2p node as mediaswarm configures it. */
export type Host = Libp2p<HostServices>

/** Options of {@link createHost}. */
export interface HostInit {
  /** The node's identity; see loadOrCreateIdentity. */
  privateKey: PrivateKey
  /** Multiaddrs to listen on. @default [] (dial only) */
  listen?: string[]
  /** Optional gate for inbound and outbound connections (allow-lists). */
  connectionGater?: ConnectionGater
  /**
   * A pre-shared network key: the contents of a swarm.key file (`/key/swarm/psk/1.0.0/`,
   * `/base16/`, 64 hex digits; see readNetworkKey). Every connection is then encrypted with
   * it underneath TLS or Noise, so only nodes holding the same key can connect (a libp2p private
   * network). @default undefined (an open network)
   */
  psk?: Uint8Array
  /**
   * PeerIds this node may connect with. Dials to any other peer are refused, and a connection
   * with one, in either direction, is closed as soon as its identity is authenticated.
   * Applied together with `connectionGater`. @default undefined (any peer)
   */
  allow?: string[]
  /**
   * Inbound connections accepted per second from one host. libp2p's default (5) refuses
   * quick bursts such as many peers on one machine.
   * @default 100
   */
  inboundConnectionThreshold?: number
  /** @default 300 */
  maxConnections?: number
  /** Inbound connections being upgraded at once (libp2p's default: 10). @default 10 */
  maxIncomingPendingConnections?: number
  /**
   * Connection encrypters to offer, in order of preference (a listener takes the first one a
   * dialler proposes that it offers). A tracker short of memory offers Noise only
   * (TrackerInit.encryption); otherwise leave the default.
   * @default ['tls', 'noise']
   */
  encrypters?: Array<'tls' | 'noise'>
  /**
   * Overrides of the keep-alive ping settings ({@link CONNECTION_MONITOR}); for tests.
   * @default CONNECTION_MONITOR
   */
  connectionMonitor?: ConnectionMonitorInit
  /** A logger; libp2p's default (enabled with DEBUG=) otherwise. */
  logger?: ComponentLogger
  /** Start listening at once. @default true */
  start?: boolean
  /**
   * Circuit relay v2. `server`: this node (a tracker) relays for the peers that reserve a
   * slot on it, within these limits; relayed connections are "limited": only protocols that
   * opt in (`runOnLimitedConnection`) run on them, never transfer. Every host can dial relay
   * addresses whatever this says. @default undefined (no relay server)
   */
  relay?: { server?: RelayServerInit }
  /**
   * Dial back every peer that connects, on its observed IP and listening ports, to learn
   * which can be reached directly (a tracker; see PeerReachability). `true` or options.
   * @default false
   */
  checkReachability?: boolean | PeerReachabilityInit
  /**
   * Relay multiaddrs ending in /p2p/<relay PeerId> (the tracker's) to reserve a slot on and
   * listen through (`<relay>/p2p-circuit`), so the relay can name this node as reachable
   * through it. Kept in the background: reserved after start, again after a reconnect.
   * @default [] (none)
   */
  reserveOn?: string[]
  /**
   * Map the listening ports on the home router with UPnP IGD, or NAT-PMP when no IGD answers
   * (see PortMapping). `true` or options (a gateway URL instead of an SSDP search, NAT-PMP
   * gateways instead of the default route's, for tests). @default false
   */
  upnp?: boolean | PortMappingInit
  /**
   * AutoNAT v1: serve dial-back checks for others and ask connected peers to check this
   * node's public addresses (a node with a public IP advertises it only once confirmed).
   * @default true
   */
  autonat?: boolean
  /**
   * Relay reservations (`reserveOn`) and the router search (`upnp`) start once this settles,
   * not at start: a `get` asks for its place in the queue and its ticket first, and needs a
   * relay slot or a mapped port only once it has pieces to share. @default at start
   */
  reachabilityAfter?: Promise<unknown>
  /** More transports (after TCP and circuit relay), e.g. for hole punching. @default [] */
  extraTransports?: Array<(components: any) => Transport>
  /** More libp2p services by name (e.g. `dcutr`), reachable as `host.services[name]`. @default {} */
  extraServices?: Record<string, (components: any) => unknown>
  /** libp2p's metrics (e.g. `prometheusMetrics()` from @libp2p/prometheus-metrics). @default none */
  metrics?: Libp2pInit['metrics']
}

/** Every IPv4 interface and every IPv6 interface, on the same TCP port (0: two free ports). */
export function dualStackListen (port: number): string[] {
  return [`/ip4/0.0.0.0/tcp/${port}`, `/ip6/::/tcp/${port}`]
}

/**
 * Largest yamux receive window of one stream. Each stream's read buffer is allowed a bit
 * more than that: libp2p's defaults (16 MiB window, 4 MiB read buffer) reset a paused
 * stream once 4 MiB arrive.
 */
export const MAX_STREAM_WINDOW = 8 * 1024 * 1024
/** Yamux keep-alive ping interval: its first ping (at connect) measures the RTT that lets a stream window grow. */
const YAMUX_RTT_PING_MS = 24 * 60 * 60 * 1000
const MAX_READ_BUFFER = MAX_STREAM_WINDOW + 2 * 1024 * 1024

/**
 * libp2p's connection monitor pings every connection and aborts the connection when a ping
 * is not answered in time. Its defaults (every 10 s, timeout adaptive from 5 s) tear down
 * connections of a peer that is alive but CPU-starved or whose answer waits behind queued
 * data, and with them every transfer on them; and pings that outlive the interval pile up
 * beyond the two inbound ping streams a peer accepts, which also fails the ping. Here: one
 * ping every 30 s with a fixed 25 s timeout, so at most one ping is in flight per connection
 * and only a peer that sends nothing back for 25 s is dropped. Stalled transfers are caught
 * sooner by the protocols' own per-stream timeouts; the monitor only has to reap connections
 * that are really dead (it still does, within a minute), and a tracker with thousands of
 * connections opens a third as many ping streams.
 */
export const CONNECTION_MONITOR: ConnectionMonitorInit = {
  pingInterval: 30_000,
  pingTimeout: { minTimeout: 25_000, maxTimeout: 25_000 },
  abortConnectionOnPingFailure: true
}

/**
 * Creates the libp2p host: TCP; TLS 1.3 first (OpenSSL does the record crypto, and the
 * muxer is agreed in the handshake through ALPN) with Noise as the fallback for peers that
 * only speak Noise (multistream-select tries the dialer's encrypters in order, so either
 * side may lack TLS); yamux first (flow control per stream) with mplex kept only for peers
 * that cannot speak yamux; identify and ping; optionally closed to nodes without the network
 * key (`psk`) or not on an allow-list (`allow`). Reachability: every host can dial circuit
 * relay addresses; a tracker relays for its peers (`relay.server`); a peer behind NAT
 * reserves a slot on the tracker (`reserveOn`) and maps its port with UPnP (`upnp`);
 * AutoNAT checks public addresses; `extraTransports` / `extraServices` plug in hole punching.
 */
export async function createHost (init: HostInit): Promise<Host> {
  const services: Record<string, (components: any) => unknown> = {
    identify: identify(),
    ping: ping(),
    upgrades: connectionUpgrades(),
    peerStoreSweep: peerStoreSweep()
  }
  // what a host does not run is not even loaded: a short `get` skips the tracker's services,
  // AutoNAT and UPnP (and their XML parsers), the network key's cipher, and Noise until a
  // peer asks for it
  if (init.checkReachability != null && init.checkReachability !== false) {
    const { peerReachability } = await import('./peer-reachability.js')
    // dial back from a throwaway identity; a closed network's allow-lists would refuse it
    const probe = init.allow != null ? undefined : async () => dialBackProbe(init)
    services.reachability = peerReachability({ probe, ...(init.checkReachability === true ? {} : init.checkReachability) })
  }
  if (init.autonat !== false) services.autonat = (await import('@libp2p/autonat')).autoNAT()
  const server = init.relay?.server
  if (server != null) {
    const [{ circuitRelayServer }, { trustOwnAddresses }] = await Promise.all([import('@libp2p/circuit-relay-v2'), import('./own-addresses.js')])
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: server.slots,
        applyDefaultLimit: true,
        defaultDataLimit: BigInt(server.maxBytes),
        defaultDurationLimit: server.maxDurationMs
      }
    })
    services.relayLimits = () => ({ ...server })
    // a relay (a tracker) is reached at the addresses its operator gave, public ones included
    services.ownAddresses = trustOwnAddresses()
  }
  const after = init.reachabilityAfter
  if ((init.reserveOn ?? []).length > 0) services.relayReservations = relayReservations({ relays: init.reserveOn ?? [], after })
  if (init.upnp != null && init.upnp !== false) services.portMapping = (await import('./port-mapping.js')).portMapping({ after, ...(init.upnp === true ? {} : init.upnp) })
  Object.assign(services, init.extraServices)
  const host = await createLibp2p({
    privateKey: init.privateKey,
    // the peer store's records, each in a buffer of its own (see CompactMemoryDatastore)
    datastore: new CompactMemoryDatastore(),
    start: init.start ?? true,
    addresses: { listen: init.listen ?? [] },
    transports: [tcp(), circuitRelayTransport(), ...(init.extraTransports ?? [])],
    connectionEncrypters: (init.encrypters ?? ['tls', 'noise']).map(e => e === 'tls' ? tls() : lazyNoise()),
    streamMuxers: [
      yamux({
        // the connection monitor already pings every connection (CONNECTION_MONITOR); yamux's
        // own keep-alive ping (every 30 s, nothing done on failure) only doubled that traffic:
        // 2 % of a tracker's CPU with 2,000 peers connected. But its first ping is the only
        // RTT sample yamux takes, and without one a stream's receive window never grows past
        // 256 KiB (a window update every 128 KiB). So: one ping when the connection opens,
        // then one a day (YAMUX_RTT_PING_MS).
        enableKeepAlive: true,
        keepAliveInterval: YAMUX_RTT_PING_MS,
        streamOptions: {
          maxStreamWindowSize: MAX_STREAM_WINDOW,
          maxReadBufferLength: MAX_READ_BUFFER
        }
      }),
      mplex()
    ],
    connectionProtector: init.psk != null ? (await import('@libp2p/pnet')).preSharedKey({ psk: init.psk }) : undefined,
    connectionMonitor: { ...CONNECTION_MONITOR, ...init.connectionMonitor },
    connectionGater: init.allow != null ? allowListGater(init.allow, init.connectionGater) : init.connectionGater,
    connectionManager: {
      maxConnections: init.maxConnections ?? 300,
      inboundConnectionThreshold: init.inboundConnectionThreshold ?? 100,
      maxIncomingPendingConnections: init.maxIncomingPendingConnections ?? 10
    },
    logger: init.logger,
    metrics: init.metrics,
    services
  })
  if (server != null) releaseSlotsOnDisconnect(host as unknown as Host)
  return host as unknown as Host
}

/** A dial-only host with a fresh identity and the same network key, for dial-backs. */
async function dialBackProbe (init: HostInit): Promise<DialBackProbe> {
  const probe = await createHost({ privateKey: await generateKeyPair('Ed25519'), psk: init.psk, encrypters: init.encrypters, autonat: false, logger: init.logger })
  return {
    dial: async (addr, options) => probe.dial(addr, options),
    stop: async () => { await probe.stop() }
  }
}

/**
 * circuit-relay-v2's server keeps a reservation until its TTL (2 h) after the peer has
 * gone, so a relay's slots would fill with departed peers: a peer's slot is freed when its
 * last connection closes (its timer stopped first, so it cannot later remove a new one).
 */
function releaseSlotsOnDisconnect (host: Host): void {
  host.addEventListener('peer:disconnect', (evt) => {
    const reservations = host.services.relay?.reservations
    const r = reservations?.get(evt.detail)
    if (r == null) return
    r.signal.clear()
    reservations?.delete(evt.detail)
  })
}

/**
 * A gater that refuses every peer not in `allow` (dials, and inbound and outbound
 * connections once encrypted), then asks `base` if given.
 */
function allowListGater (allow: string[], base: ConnectionGater = {}): ConnectionGater {
  // canonical strings, so the CIDv1 and base58 spellings of a PeerId match
  const allowed = new Set(allow.map(id => peerIdFromString(id).toString()))
  const stranger = (peer: PeerId): boolean => !allowed.has(peer.toString())
  return {
    ...base,
    denyDialPeer: async (peer) => stranger(peer) || (await base.denyDialPeer?.(peer) ?? false),
    denyInboundEncryptedConnection: async (peer, conn) => stranger(peer) || (await base.denyInboundEncryptedConnection?.(peer, conn) ?? false),
    denyOutboundEncryptedConnection: async (peer, conn) => stranger(peer) || (await base.denyOutboundEncryptedConnection?.(peer, conn) ?? false)
  }
}

import { randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { serviceCapabilities, transportSymbol, UnsupportedOperationError } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { ProtocolError } from '../errors.js'
import { StreamReader, expectMessage, writeMessage } from '../streams/index.js'
import {
  MAX_CONCURRENT_PUNCHES, MAX_PUNCH_MESSAGE_BYTES, OBSERVE_TIMEOUT_MS, PUNCH_ATTEMPTS, PUNCH_ATTEMPT_TIMEOUT_MS,
  PUNCH_COOLDOWN_MS, PUNCH_MESSAGE_TIMEOUT_MS, PUNCH_PORT_MAX, PUNCH_PORT_MIN, PUNCH_PROTOCOL
} from './constants.js'
import { endpointOf, observePort, relayOf } from './observe.js'
import { PunchMessage } from './pb/punch.js'
import { simultaneousOpen } from './simultaneous-open.js'
import { SocketConnection } from './socket-connection.js'
import type { Endpoint } from './simultaneous-open.js'
import type {
  ComponentLogger, Connection, CreateListenerOptions, Libp2pEvents, Listener, Logger, PeerId, Startable, Stream,
  StreamHandler, StreamHandlerOptions, Transport, TypedEventTarget, Upgrader
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** How long a punch port observed for a peer that dialled us through the relay is kept for its punch. */
const PREPARED_TTL_MS = 30_000

/** How one hole punch ended. */
export interface PunchResult {
  /** The other peer. */
  peer: string
  /** `initiator`: we had dialled it through the relay; `responder`: it had dialled us. */
  role: 'initiator' | 'responder'
  ok: boolean
  /** From the start of the punch to the direct connection (or the failure). */
  ms: number
  /** The other peer's public address for its punch port (when learned). */
  remoteAddr?: string
  /** Why it failed. */
  error?: string
}

/** Options of {@link holePunch}. */
export interface HolePunchInit {
  /** Told of every punch's outcome (the direct connection is already open when `ok`). */
  onResult?: (result: PunchResult) => void
  /** Simultaneous dials per punch. @default PUNCH_ATTEMPTS */
  attempts?: number
  /** How long each simultaneous dial may take. @default PUNCH_ATTEMPT_TIMEOUT_MS */
  attemptTimeoutMs?: number
  /** No new punch with a peer for this long after one failed. @default PUNCH_COOLDOWN_MS */
  cooldownMs?: number
}

/** What the hole punch uses of the libp2p node (a transport's components). */
export interface HolePunchComponents {
  peerId: PeerId
  upgrader: Upgrader
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  registrar: {
    handle: (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => Promise<void>
    unhandle: (protocol: string) => Promise<void>
  }
  connectionManager: { getConnections: (peerId?: PeerId) => Connection[] }
}

/**
 * Upgrades relayed connections to direct ones by a TCP hole punch, DCUtR's way but from a
 * dedicated socket (js-libp2p's own DCUtR cannot punch on Node: without SO_REUSEPORT its dial
 * leaves from a fresh port, not the one the NAT mapped). When we dial a peer through the
 * relay, we pick a punch port, learn its public address from the relay (see observePort),
 * and swap addresses with the peer over the relayed connection (CONNECT, CONNECT, SYNC,
 * timed by the round trip); both then connect from their punch ports to each other's public
 * address at the same moment (see simultaneousOpen). The socket becomes a normal, direct,
 * unlimited libp2p connection, upgraded with fixed roles: the side that dialled through the
 * relay is the TLS client and multistream initiator. Plugs into the node as a transport (it
 * dials and listens on nothing by itself).
 */
export class HolePunch implements Transport, Startable {
  readonly [transportSymbol] = true
  readonly [Symbol.toStringTag] = 'mediaswarm:hole-punch'
  readonly [serviceCapabilities] = ['@mediaswarm/hole-punch']

  readonly #components: HolePunchComponents
  readonly #init: HolePunchInit
  readonly #log: Logger
  /** Peers a punch is running with. */
  readonly #running = new Set<string>()
  /** Peer -> when its last failed punch ended. */
  readonly #failedAt = new Map<string, number>()
  #stop = new AbortController()
  /** Peer that dialled us through the relay -> a punch port and its public address being learned. */
  readonly #prepared = new Map<string, { port: number, addr: Promise<Multiaddr> }>()

  constructor (components: HolePunchComponents, init: HolePunchInit = {}) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('mediaswarm:punch')
  }

  async start (): Promise<void> {
    this.#stop = new AbortController()
    await this.#components.registrar.handle(PUNCH_PROTOCOL, (stream, connection) => { this.#respond(stream, connection) }, {
      runOnLimitedConnection: true,
      maxInboundStreams: MAX_CONCURRENT_PUNCHES,
      maxOutboundStreams: 1
    })
    this.#components.events.addEventListener('connection:open', this.#onOpen)
  }

  async stop (): Promise<void> {
    this.#components.events.removeEventListener('connection:open', this.#onOpen)
    this.#stop.abort(new Error('The node is stopping'))
    await this.#components.registrar.unhandle(PUNCH_PROTOCOL)
  }

  /** Never chosen to dial: punched connections are made by the punch itself. */
  async dial (): Promise<Connection> {
    throw new UnsupportedOperationError('The hole punch transport does not dial addresses')
  }

  createListener (_options: CreateListenerOptions): Listener {
    throw new UnsupportedOperationError('The hole punch transport does not listen')
  }

  listenFilter (): Multiaddr[] { return [] }
  dialFilter (): Multiaddr[] { return [] }

  /** A relayed connection we dialled: punch through it. */
  readonly #onOpen = (evt: CustomEvent<Connection>): void => {
    const connection = evt.detail
    if (connection.limits == null || relayOf(connection.remoteAddr) == null) return
    if (!this.#mayPunch(connection.remotePeer)) return
    if (connection.direction === 'outbound') {
      void this.#initiate(connection)
      return
    }
    // dialled through the relay: a punch usually follows. Learn a punch port's public address
    // now, while the other side learns its own, instead of after its CONNECT arrives
    const peer = connection.remotePeer.toString()
    if (this.#prepared.has(peer) || this.#prepared.size >= MAX_CONCURRENT_PUNCHES) return
    const port = randomInt(PUNCH_PORT_MIN, PUNCH_PORT_MAX + 1)
    const addr = this.#observe(connection, port, AbortSignal.any([this.#stop.signal, AbortSignal.timeout(OBSERVE_TIMEOUT_MS)]))
    addr.catch(() => {})
    this.#prepared.set(peer, { port, addr })
    setTimeout(() => { if (this.#prepared.get(peer)?.addr === addr) this.#prepared.delete(peer) }, PREPARED_TTL_MS).unref()
  }

  #mayPunch (peer: PeerId): boolean {
    const id = peer.toString()
    if (this.#running.has(id) || this.#running.size >= MAX_CONCURRENT_PUNCHES) return false
    const failedAt = this.#failedAt.get(id)
    if (failedAt != null && Date.now() - failedAt < (this.#init.cooldownMs ?? PUNCH_COOLDOWN_MS)) return false
    // already directly connected: nothing to do
    return !this.#components.connectionManager.getConnections(peer).some(c => c.limits == null && c.status === 'open')
  }

  #signal (): AbortSignal {
    const attempts = this.#init.attempts ?? PUNCH_ATTEMPTS
    const budget = 2 * PUNCH_MESSAGE_TIMEOUT_MS + OBSERVE_TIMEOUT_MS + attempts * ((this.#init.attemptTimeoutMs ?? PUNCH_ATTEMPT_TIMEOUT_MS) + 200)
    return AbortSignal.any([this.#stop.signal, AbortSignal.timeout(budget)])
  }

  async #initiate (relayed: Connection): Promise<void> {
    const peer = relayed.remotePeer
    const started = performance.now()
    let remote: Multiaddr | undefined
    this.#running.add(peer.toString())
    let stream: Stream | undefined
    try {
      const signal = this.#signal()
      const port = randomInt(PUNCH_PORT_MIN, PUNCH_PORT_MAX + 1)
      const [observed, opened] = await Promise.allSettled([
        this.#observe(relayed, port, signal),
        relayed.newStream(PUNCH_PROTOCOL, { runOnLimitedConnection: true, signal })
      ])
      if (opened.status === 'fulfilled') stream = opened.value
      if (observed.status === 'rejected') throw observed.reason
      if (opened.status === 'rejected' || stream == null) throw opened.status === 'rejected' ? opened.reason : new Error('no punch stream')
      const own = observed.value
      const reader = new StreamReader(stream)
      const sentAt = performance.now()
      await writeMessage(stream, { type: PunchMessage.Type.CONNECT, addrs: [own.bytes], delayMs: 0 }, PunchMessage, signal)
      const reply = await expectMessage(reader, PunchMessage, MAX_PUNCH_MESSAGE_BYTES, AbortSignal.any([signal, AbortSignal.timeout(PUNCH_MESSAGE_TIMEOUT_MS)]))
      if (reply.type !== PunchMessage.Type.CONNECT) throw new ProtocolError('The peer did not answer CONNECT with CONNECT')
      const target = firstEndpoint(reply.addrs)
      remote = target.addr
      const rtt = Math.max(0, performance.now() - sentAt - reply.delayMs)
      await writeMessage(stream, { type: PunchMessage.Type.SYNC, addrs: [], delayMs: 0 }, PunchMessage, signal)
      await stream.close({ signal })
      // the SYNC reaches the peer half a round trip from now, and it dials then
      await sleep(rtt / 2, undefined, { signal })
      await this.#punch(peer, target, port, true, signal)
      this.#report({ peer: peer.toString(), role: 'initiator', ok: true, ms: performance.now() - started, remoteAddr: remote.toString() })
    } catch (err) {
      stream?.abort(err as Error)
      this.#failed(peer, 'initiator', started, remote, err as Error)
    } finally {
      this.#running.delete(peer.toString())
    }
  }

  #respond (stream: Stream, relayed: Connection): void {
    const peer = relayed.remotePeer
    // only through a relay, one punch per peer at a time, a few at once
    if (relayed.limits == null || relayOf(relayed.remoteAddr) == null || !this.#mayPunch(peer)) {
      stream.abort(new ProtocolError('Not punching now'))
      return
    }
    this.#running.add(peer.toString())
    const started = performance.now()
    let remote: Multiaddr | undefined
    void (async () => {
      const signal = this.#signal()
      const reader = new StreamReader(stream)
      const deadline = (): AbortSignal => AbortSignal.any([signal, AbortSignal.timeout(PUNCH_MESSAGE_TIMEOUT_MS)])
      const connect = await expectMessage(reader, PunchMessage, MAX_PUNCH_MESSAGE_BYTES, deadline())
      if (connect.type !== PunchMessage.Type.CONNECT) throw new ProtocolError('A punch starts with CONNECT')
      const target = firstEndpoint(connect.addrs)
      remote = target.addr
      const observing = performance.now()
      // the punch port observed when the relayed connection opened, or a new one
      const prepared = this.#prepared.get(peer.toString())
      this.#prepared.delete(peer.toString())
      const port = prepared?.port ?? randomInt(PUNCH_PORT_MIN, PUNCH_PORT_MAX + 1)
      const own = await (prepared?.addr.catch(async () => this.#observe(relayed, port, signal)) ?? this.#observe(relayed, port, signal))
      await writeMessage(stream, { type: PunchMessage.Type.CONNECT, addrs: [own.bytes], delayMs: Math.round(performance.now() - observing) }, PunchMessage, signal)
      const sync = await expectMessage(reader, PunchMessage, MAX_PUNCH_MESSAGE_BYTES, deadline())
      if (sync.type !== PunchMessage.Type.SYNC) throw new ProtocolError('CONNECT is followed by SYNC')
      await this.#punch(peer, target, port, false, signal)
      this.#report({ peer: peer.toString(), role: 'responder', ok: true, ms: performance.now() - started, remoteAddr: remote.toString() })
    })().catch((err: Error) => {
      stream.abort(err)
      this.#failed(peer, 'responder', started, remote, err)
    }).finally(() => {
      this.#running.delete(peer.toString())
    })
  }

  async #observe (relayed: Connection, port: number, signal: AbortSignal): Promise<Multiaddr> {
    const relay = relayOf(relayed.remoteAddr)
    if (relay == null) throw new Error('The relayed connection does not name a TCP relay')
    const own = await observePort(this.#components, relay, port, this.#log, AbortSignal.any([signal, AbortSignal.timeout(OBSERVE_TIMEOUT_MS)]))
    this.#log('punch port %d is %a in public', port, own)
    return own
  }

  /** Both sides dial; the socket is upgraded with fixed roles, and must turn out to be `peer`. */
  async #punch (peer: PeerId, target: { endpoint: Endpoint, addr: Multiaddr }, port: number, initiator: boolean, signal: AbortSignal): Promise<void> {
    const socket = await simultaneousOpen(target.endpoint, port, this.#init.attempts ?? PUNCH_ATTEMPTS, this.#init.attemptTimeoutMs ?? PUNCH_ATTEMPT_TIMEOUT_MS, signal)
    const remoteAddr = target.addr.encapsulate(`/p2p/${peer.toString()}`)
    const maConn = new SocketConnection({ socket, remoteAddr, direction: initiator ? 'outbound' : 'inbound', log: this.#log.newScope('connection') })
    let connection: Connection
    try {
      connection = await this.#components.upgrader.upgradeOutbound(maConn, { signal, initiator })
    } catch (err) {
      maConn.abort(err as Error)
      throw err
    }
    if (!connection.remotePeer.equals(peer)) {
      await connection.close().catch(() => {})
      throw new ProtocolError(`The punched connection reached ${connection.remotePeer.toString()}, not ${peer.toString()}`)
    }
    this.#log('direct connection to %p at %a (hole punched, %s)', peer, remoteAddr, initiator ? 'initiator' : 'responder')
  }

  #failed (peer: PeerId, role: PunchResult['role'], started: number, remote: Multiaddr | undefined, err: Error): void {
    this.#failedAt.set(peer.toString(), Date.now())
    // a bounded memory of failures: the oldest go first
    if (this.#failedAt.size > 1000) this.#failedAt.delete(this.#failedAt.keys().next().value as string)
    this.#log('punch with %p failed - %e', peer, err)
    this.#report({ peer: peer.toString(), role, ok: false, ms: performance.now() - started, remoteAddr: remote?.toString(), error: err.message })
  }

  #report (result: PunchResult): void {
    if (result.ok) this.#log('punch with %s as %s succeeded in %d ms: direct to %s', result.peer, result.role, Math.round(result.ms), result.remoteAddr)
    try { this.#init.onResult?.(result) } catch {}
  }
}

/** The first usable address of a CONNECT (IP and TCP only); throws ProtocolError when none is. */
function firstEndpoint (addrs: Uint8Array[]): { endpoint: Endpoint, addr: Multiaddr } {
  for (const bytes of addrs) {
    try {
      const addr = multiaddr(bytes)
      const endpoint = endpointOf(addr)
      if (endpoint != null) return { endpoint, addr: multiaddr(`/${endpoint.host.includes(':') ? 'ip6' : 'ip4'}/${endpoint.host}/tcp/${endpoint.port}`) }
    } catch {}
  }
  throw new ProtocolError('The peer sent no TCP address to punch to')
}

/**
 * The hole punch as a libp2p transport factory, for HostInit.extraTransports (see
 * {@link HolePunch}).
 */
export function holePunch (init: HolePunchInit = {}): (components: HolePunchComponents) => HolePunch {
  return (components) => new HolePunch(components, init)
}

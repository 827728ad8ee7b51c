import { getNetConfig } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { ComponentLogger, IdentifyResult, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * How a peer can be reached, as `status`, the dashboard and metrics name it: `public` (a
 * direct dial to its own address works), `upnp` (a direct dial works to a port its router
 * mapped for it), `hole-punched` (not dialable, but it reached other peers directly by hole
 * punching), `relay-only` (reachable only through the tracker's relay: coordination, never
 * media), `unknown` (not checked yet, or not reachable at all).
 */
export type Reachability = 'public' | 'upnp' | 'hole-punched' | 'relay-only' | 'unknown'

/** Every reachability, best first. */
export const REACHABILITIES: readonly Reachability[] = ['public', 'upnp', 'hole-punched', 'relay-only', 'unknown']

/** What a peer may say of itself (the announce message's `reachability`): only what it can know. */
export type SelfReport = 'upnp' | 'hole-punched'

/** What the tracker knows of a connected peer's addresses. */
export interface PeerAddressInfo {
  /** The address its direct connection comes from (its public IP and a NAT port, behind NAT). */
  observed?: Multiaddr
  /** Addresses a dial-back reached it on (without /p2p). */
  confirmed: Multiaddr[]
  /** What the peer said of itself, if anything. */
  reported?: SelfReport
  /**
   * The peer listens on the IP the tracker sees it at: no NAT between them, so it sits on a
   * network the tracker reaches directly (its LAN, or the internet).
   */
  seenAtOwnAddress: boolean
}

/** What {@link peerReachability} uses of the libp2p components. */
export interface PeerReachabilityComponents {
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/** A separate node (its own throwaway identity) that dials peers back. */
export interface DialBackProbe {
  dial: (addr: Multiaddr, options: { signal: AbortSignal }) => Promise<{ close: () => Promise<void> }>
  stop: () => Promise<void> | void
}

/** Options of {@link peerReachability}. */
export interface PeerReachabilityInit {
  /** Dial-backs running at once. @default 4 */
  concurrency?: number
  /** Time allowed for one dial-back (connect and handshake). @default 5000 */
  timeoutMs?: number
  /** Addresses tried per peer and check, at most. @default 4 */
  maxCandidates?: number
  /** Peers waiting for a check, at most; more are checked at their next identify. @default 10000 */
  maxQueued?: number
  /**
   * A peer's check waits this long after its identify, or until {@link PeerReachabilityService.checkNow}
   * (the tracker calls it once the peer has its ticket): a newly connected peer's own
   * requests (catalogue, manifest, queue) come first, and a dial-back is a TLS handshake on
   * both ends, in the start-up window where many peers arrive at once. @default 0
   */
  delayMs?: number
  /**
   * Creates the node that dials back, once, at start. A separate identity, because a peer
   * that saw a second connection from the tracker could open its next tracker stream on
   * it just as the tracker hangs up (libp2p prefers the newest connection). Without it
   * (closed networks with an allow-list, which would refuse an unknown identity) only the
   * observed addresses are recorded. @default undefined (no dial-back)
   */
  probe?: () => Promise<DialBackProbe>
}

/** The tracker-side service: who can be reached how. */
export interface PeerReachabilityService {
  /** What is known of a connected peer (undefined: not identified yet, or gone). */
  info: (peer: string) => PeerAddressInfo | undefined
  /** Records what a peer says of itself (from its announce). */
  report: (peer: string, reported: string | undefined) => void
  /** Starts a check held back by `delayMs` now (nothing happens when none is waiting). */
  checkNow: (peer: string) => void
  /** Resolves when no dial-back is running, waiting or queued (tests). */
  settled: () => Promise<void>
}

interface PeerRecord extends PeerAddressInfo {
  /** The candidates of the last check, joined: a new identify with the same ones is not rechecked. */
  checked?: string
}

/**
 * The dial-back candidates of a peer: its observed IP with each TCP port it listens on, and
 * each of its advertised TCP addresses on that same IP (a port its router mapped for it,
 * which may differ from the one it listens on). Nothing else: dialling addresses a peer
 * merely claims would let it point the tracker at third parties.
 */
export function dialBackCandidates (observed: Multiaddr, listenAddrs: Multiaddr[], max = 4): Multiaddr[] {
  let seen: { type: string, host: string }
  try {
    const c = getNetConfig(observed)
    if (c.type !== 'ip4' && c.type !== 'ip6') return []
    seen = { type: c.type, host: c.host }
  } catch {
    return []
  }
  const out = new Map<string, Multiaddr>()
  const add = (port: number): void => {
    if (out.size >= max || port <= 0 || port > 65535) return
    const ma = multiaddr(`/${seen.type}/${seen.host}/tcp/${port}`)
    out.set(ma.toString(), ma)
  }
  const tcp = listenAddrs.flatMap(a => {
    if (a.toString().includes('/p2p-circuit')) return []
    try {
      const c = getNetConfig(a)
      return c.protocol === 'tcp' && c.port != null && c.type === seen.type ? [{ host: c.host, port: c.port }] : []
    } catch {
      return []
    }
  })
  // advertised on the observed IP itself first (its public address, or a mapped port)
  for (const a of tcp) if (a.host === seen.host) add(a.port)
  for (const a of tcp) add(a.port)
  return [...out.values()]
}

/**
 * Checks, from the tracker, whether each peer that connects can be dialled back directly:
 * on each identify it dials the peer's candidates (see {@link dialBackCandidates}) from a
 * probe node with its own identity, checks the peer's identity, and closes the connection. AutoNAT v1 cannot do this job
 * in mediaswarm: it refuses private addresses outright (the network-namespace tests use
 * 10.x) and wants four verifiers in distinct /8 networks before it trusts an observed
 * address, while a mediaswarm peer usually talks to one tracker.
 */
class PeerReachability implements Startable, PeerReachabilityService {
  readonly #components: PeerReachabilityComponents
  readonly #log: Logger
  readonly #peers = new Map<string, PeerRecord>()
  readonly #queue: Array<{ peer: PeerId, candidates: Multiaddr[] }> = []
  readonly #concurrency: number
  readonly #timeoutMs: number
  readonly #maxCandidates: number
  readonly #maxQueued: number
  readonly #delayMs: number
  /** Checks held back by `delayMs`, by peer. */
  readonly #delayed = new Map<string, { timer: NodeJS.Timeout, job: { peer: PeerId, candidates: Multiaddr[] } }>()
  readonly #makeProbe?: () => Promise<DialBackProbe>
  #probe?: DialBackProbe
  #running = 0
  #idle: Array<() => void> = []
  #started = false

  constructor (components: PeerReachabilityComponents, init: PeerReachabilityInit) {
    this.#components = components
    this.#log = components.logger.forComponent('mediaswarm:host:peer-reachability')
    this.#concurrency = init.concurrency ?? 4
    this.#timeoutMs = init.timeoutMs ?? 5000
    this.#maxCandidates = init.maxCandidates ?? 4
    this.#maxQueued = init.maxQueued ?? 10_000
    this.#delayMs = init.delayMs ?? 0
    this.#makeProbe = init.probe
  }

  readonly [Symbol.toStringTag] = 'mediaswarm/peer-reachability'

  async start (): Promise<void> {
    this.#probe = await this.#makeProbe?.()
    this.#started = true
    this.#components.events.addEventListener('peer:identify', this.#onIdentify)
    this.#components.events.addEventListener('peer:disconnect', this.#onDisconnect)
  }

  async stop (): Promise<void> {
    this.#started = false
    this.#components.events.removeEventListener('peer:identify', this.#onIdentify)
    this.#components.events.removeEventListener('peer:disconnect', this.#onDisconnect)
    this.#queue.length = 0
    for (const d of this.#delayed.values()) clearTimeout(d.timer)
    this.#delayed.clear()
    this.#peers.clear()
    await this.#probe?.stop()
    this.#probe = undefined
  }

  info (peer: string): PeerAddressInfo | undefined {
    const r = this.#peers.get(peer)
    return r == null ? undefined : { observed: r.observed, confirmed: [...r.confirmed], reported: r.reported, seenAtOwnAddress: r.seenAtOwnAddress }
  }

  report (peer: string, reported: string | undefined): void {
    const r = this.#peers.get(peer)
    if (r == null) return
    r.reported = reported === 'upnp' || reported === 'hole-punched' ? reported : undefined
  }

  checkNow (peer: string): void {
    const d = this.#delayed.get(peer)
    if (d == null) return
    clearTimeout(d.timer)
    this.#delayed.delete(peer)
    this.#enqueue(d.job)
  }

  async settled (): Promise<void> {
    if (this.#running === 0 && this.#queue.length === 0 && this.#delayed.size === 0) return
    await new Promise<void>(resolve => this.#idle.push(resolve))
  }

  readonly #onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString()
    this.#peers.delete(id)
    const d = this.#delayed.get(id)
    if (d != null) {
      clearTimeout(d.timer)
      this.#delayed.delete(id)
      this.#idleCheck()
    }
  }

  readonly #onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, listenAddrs, connection } = evt.detail
    // a relayed connection says nothing of where the peer is
    if (connection.limits != null || connection.remoteAddr.toString().includes('/p2p-circuit')) return
    const id = peerId.toString()
    let r = this.#peers.get(id)
    if (r == null) {
      r = { confirmed: [], seenAtOwnAddress: false }
      this.#peers.set(id, r)
    }
    r.observed = connection.remoteAddr.decapsulateCode(421)
    r.seenAtOwnAddress = listensOn(r.observed, listenAddrs)
    if (this.#probe == null) return
    const candidates = dialBackCandidates(r.observed, listenAddrs, this.#maxCandidates)
    const key = candidates.map(String).join(' ')
    if (key === r.checked) return
    r.checked = key
    if (candidates.length === 0) {
      r.confirmed = []
      return
    }
    if (this.#queue.length + this.#delayed.size >= this.#maxQueued) {
      r.checked = undefined
      return
    }
    const job = { peer: peerId, candidates }
    const held = this.#delayed.get(id)
    if (held != null) {
      // newer candidates replace the held ones, on the same timer
      held.job = job
    } else if (this.#delayMs > 0) {
      const timer = setTimeout(() => { this.checkNow(id) }, this.#delayMs)
      timer.unref()
      this.#delayed.set(id, { timer, job })
    } else {
      this.#enqueue(job)
    }
  }

  #enqueue (job: { peer: PeerId, candidates: Multiaddr[] }): void {
    if (!this.#started) return
    this.#queue.push(job)
    this.#pump()
  }

  #idleCheck (): void {
    if (this.#running === 0 && this.#queue.length === 0 && this.#delayed.size === 0) for (const resolve of this.#idle.splice(0)) resolve()
  }

  #pump (): void {
    while (this.#started && this.#running < this.#concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift() as { peer: PeerId, candidates: Multiaddr[] }
      this.#running++
      this.#check(job.peer, job.candidates)
        .catch(err => { this.#log('dial-back of %p failed - %e', job.peer, err) })
        .finally(() => {
          this.#running--
          this.#pump()
          this.#idleCheck()
        })
    }
  }

  async #check (peer: PeerId, candidates: Multiaddr[]): Promise<void> {
    const confirmed: Multiaddr[] = []
    for (const addr of candidates) {
      if (!this.#started) return
      const probe = this.#probe
      if (probe == null) return
      try {
        const conn = await probe.dial(addr.encapsulate(`/p2p/${peer.toString()}`), { signal: AbortSignal.timeout(this.#timeoutMs) })
        // the handshake proved the identity; the connection was only a probe
        await conn.close().catch(() => {})
        confirmed.push(addr)
        this.#log('%p is reachable on %a', peer, addr)
      } catch (err) {
        this.#log('%p is not reachable on %a - %e', peer, addr, err)
      }
    }
    const r = this.#peers.get(peer.toString())
    if (r != null) r.confirmed = confirmed
  }
}

/** Whether one of `listenAddrs` (not relayed) is on the host of `observed`. */
function listensOn (observed: Multiaddr, listenAddrs: Multiaddr[]): boolean {
  try {
    const host = getNetConfig(observed).host
    return listenAddrs.some(a => {
      if (a.toString().includes('/p2p-circuit')) return false
      try { return getNetConfig(a).host === host } catch { return false }
    })
  } catch {
    return false
  }
}

/**
 * How a peer is reachable, from what the tracker knows: a dial-back that worked makes it
 * `public`, or `upnp` when the peer says its router mapped the port; otherwise
 * `hole-punched` when it says so, `relay-only` with a reservation on the tracker's relay,
 * else `unknown`.
 */
export function classifyReachability (info: PeerAddressInfo | undefined, reserved: boolean): Reachability {
  if (info != null && info.confirmed.length > 0) return info.reported === 'upnp' ? 'upnp' : 'public'
  if (info?.reported === 'hole-punched') return 'hole-punched'
  return reserved ? 'relay-only' : 'unknown'
}

/** A libp2p service (the tracker's) that dials its peers back; see PeerReachability. */
export function peerReachability (init: PeerReachabilityInit = {}): (components: PeerReachabilityComponents) => PeerReachabilityService {
  return (components) => new PeerReachability(components, init)
}

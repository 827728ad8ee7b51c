import { getNetConfig, isLoopback, isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { NatPmpGateway, defaultGateways } from './nat-pmp.js'
import type { UPnPNAT } from '@achingbrain/nat-port-mapper'
import type { ComponentLogger, Libp2pEvents, Logger, Startable, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, TransportManager } from '@libp2p/interface-internal'

/** What {@link portMapping} uses of the libp2p components. */
export interface PortMappingComponents {
  transportManager: TransportManager
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/** Options of {@link portMapping}. */
export interface PortMappingInit {
  /**
   * URLs of gateways' UPnP device descriptions (`http://192.168.1.1:5000/rootDesc.xml`).
   * @default undefined (search the local network with SSDP M-SEARCH; `[]`: no UPnP)
   */
  gateways?: string[]
  /**
   * NAT-PMP (RFC 6886) gateways to try, beside the UPnP search (the first gateway found wins).
   * @default the IPv4 default gateways of /proc/net/route (none elsewhere, none when
   * `gateways` is given)
   */
  pmpGateways?: string[]
  /** Port of the NAT-PMP gateways (tests). @default 5351 */
  pmpPort?: number
  /** How long an SSDP search waits for gateways to answer. @default 5000 */
  searchTimeoutMs?: number
  /** Lease asked for each mapping; renewed before it ends. @default 3600000 */
  ttlMs?: number
  /** Text the router shows beside the mapping. @default 'mediaswarm' */
  description?: string
  /** Told each time a port is mapped (tests, status). */
  onMapped?: (mapping: PortMappingEntry) => void
  /**
   * The router search starts once this settles (a `get` lets its first ticket come first).
   * @default at start
   */
  after?: Promise<unknown>
}

/** One port mapped on the router. */
export interface PortMappingEntry {
  internalHost: string
  internalPort: number
  externalHost: string
  externalPort: number
}

/** What the service tells the rest of the node. */
export interface PortMappingState {
  /** Ports mapped now. */
  readonly mappings: PortMappingEntry[]
}

/** What the service needs of a UPnP or NAT-PMP gateway. */
interface Mapper {
  readonly host: string
  map: (port: number, host: string, options: { protocol: 'TCP', signal: AbortSignal }) => Promise<PortMappingEntry>
  stop: (options?: { signal?: AbortSignal }) => Promise<void>
}

/** An IGD that only ever sees loopback (tests) may map loopback listeners. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost'])

/**
 * Maps this node's TCP listening ports on the home router (UPnP IGD, the client
 * @libp2p/upnp-nat uses: @achingbrain/nat-port-mapper; or, when no UPnP gateway answers,
 * NAT-PMP against the default gateway, see nat-pmp.ts) and advertises the mapped address
 * (`addPublicAddressMapping` plus confirming it, so identify sends it to the tracker, which
 * verifies it by dialling back before naming it to anyone).
 *
 * Why not @libp2p/upnp-nat itself: its port mapper throws `DoubleNATError` whenever the
 * gateway reports a private external address (10.x, 192.168.x...), with no option to allow
 * it (`externalAddress` is checked the same way), and it waits for @libp2p/autonat to
 * confirm the address, which refuses private addresses too. A private external address is
 * legitimate behind carrier-grade or double NAT for peers sharing that outer network, and it
 * is what the network-namespace tests use; nothing unsafe follows from mapping it, since the
 * tracker names a mapped address only after dialling it back.
 */
class PortMapping implements Startable, PortMappingState {
  readonly #components: PortMappingComponents
  readonly #init: PortMappingInit
  readonly #log: Logger
  /** The UPnP client, loaded with the first search (with its XML parsers). */
  #client?: Promise<UPnPNAT>
  readonly #gateways: Mapper[] = []
  readonly mappings: PortMappingEntry[] = []
  /** host:port pairs asked for already. */
  readonly #asked = new Set<string>()
  #gateway?: Mapper
  #abort = new AbortController()

  constructor (components: PortMappingComponents, init: PortMappingInit) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('mediaswarm:host:port-mapping')
  }

  readonly [Symbol.toStringTag] = 'mediaswarm/port-mapping'

  start (): void {
    this.#abort = new AbortController()
    // listeners start beside this service: map each as it listens
    this.#components.events.addEventListener('transport:listening', this.#onListening)
  }

  readonly #onListening = (): void => {
    if (this.#gateway == null) return
    this.#mapAll(this.#gateway, this.#abort.signal).catch(err => { this.#log('port mapping failed - %e', err) })
  }

  afterStart (): void {
    // in the background: a router that never answers must not delay the node
    const signal = this.#abort.signal
    void (this.#init.after ?? Promise.resolve()).catch(() => {}).then(async () => {
      if (!signal.aborted) await this.#run(signal)
    }).catch(err => { this.#log('no port mapping - %e', err) })
  }

  async #upnp (): Promise<UPnPNAT> {
    this.#client ??= import('@achingbrain/nat-port-mapper').then(m => m.upnpNat({ description: this.#init.description ?? 'mediaswarm', ttl: this.#init.ttlMs ?? 3_600_000, autoRefresh: true }))
    return this.#client
  }

  async stop (): Promise<void> {
    this.#components.events.removeEventListener('transport:listening', this.#onListening)
    this.#abort.abort()
    this.#gateway = undefined
    this.#asked.clear()
    // removes the mappings made
    await Promise.all(this.#gateways.map(async g => g.stop({ signal: AbortSignal.timeout(2000) }).catch(() => {})))
    this.#gateways.length = 0
    this.mappings.length = 0
  }

  /**
   * Searches with UPnP and NAT-PMP at once and takes the first gateway found (a later one is
   * let go); undefined when neither finds one.
   */
  async #findGateway (signal: AbortSignal): Promise<Mapper | undefined> {
    let chosen: Mapper | undefined
    await new Promise<void>(resolve => {
      let left = 2
      for (const search of [this.#findUpnp(signal), this.#findPmp(signal)]) {
        search.catch(err => { this.#log('gateway search failed - %e', err) }).then(gateway => {
          if (gateway != null && chosen == null) chosen = gateway
          else if (gateway != null) gateway.stop().catch(() => {})
          if (--left === 0 || chosen != null) resolve()
        }).catch(() => {})
      }
    })
    return chosen
  }

  /** The first NAT-PMP gateway that tells its external address. */
  async #findPmp (signal: AbortSignal): Promise<Mapper | undefined> {
    if (signal.aborted) return undefined
    // gateways named for UPnP only (tests) mean no NAT-PMP search
    const hosts = this.#init.pmpGateways ?? (this.#init.gateways != null ? [] : await defaultGateways())
    if (hosts.length === 0) return undefined
    this.#log('trying NAT-PMP on %s', hosts.join(', '))
    for (const host of hosts) {
      let gateway: NatPmpGateway
      try {
        gateway = new NatPmpGateway(host, { port: this.#init.pmpPort, ttlMs: this.#init.ttlMs, log: this.#log })
      } catch (err) {
        this.#log('not a NAT-PMP gateway %s - %e', host, err)
        continue
      }
      try {
        const external = await gateway.externalAddress({ signal })
        this.#log('NAT-PMP gateway %s, external address %s', host, external)
        return gateway
      } catch (err) {
        this.#log('NAT-PMP gateway %s did not answer - %e', host, err)
        await gateway.stop()
      }
    }
    return undefined
  }

  async #findUpnp (signal: AbortSignal): Promise<Mapper | undefined> {
    if (this.#init.gateways != null) {
      for (const url of this.#init.gateways) {
        try {
          return await (await this.#upnp()).getGateway(new URL(url), { signal })
        } catch (err) {
          this.#log('gateway %s did not answer - %e', url, err)
        }
      }
      return undefined
    }
    // a plain timer: Node 20 may collect an AbortSignal.timeout held only by AbortSignal.any
    const searching = new AbortController()
    const timer = setTimeout(() => { searching.abort() }, this.#init.searchTimeoutMs ?? 5000)
    const onAbort = (): void => { searching.abort() }
    signal.addEventListener('abort', onAbort, { once: true })
    if (signal.aborted) searching.abort()
    const search = searching.signal
    // the SSDP search only looks at its signal when a message arrives: on a silent network it
    // would never end, so the wait is raced against the signal here
    const found = (await this.#upnp()).findGateways({ signal: search })[Symbol.asyncIterator]()
    const ended = new Promise<undefined>(resolve => {
      if (search.aborted) resolve(undefined)
      search.addEventListener('abort', () => { resolve(undefined) }, { once: true })
    })
    try {
      for (;;) {
        const next = await Promise.race([found.next(), ended])
        if (next == null || next.done === true) return undefined
        if (next.value.family === 'IPv4') return next.value
      }
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      found.return?.(undefined).catch(() => {})
    }
  }

  async #run (signal: AbortSignal): Promise<void> {
    const gateway = await this.#findGateway(signal)
    if (gateway == null) {
      this.#log('no UPnP or NAT-PMP gateway found')
      return
    }
    if (signal.aborted) {
      await gateway.stop().catch(() => {})
      return
    }
    this.#gateways.push(gateway)
    this.#gateway = gateway
    await this.#mapAll(gateway, signal)
  }

  async #mapAll (gateway: Mapper, signal: AbortSignal): Promise<void> {
    const loopbackGateway = LOOPBACK_HOSTS.has(gateway.host)
    for (const addr of this.#components.transportManager.getAddrs()) {
      // a relayed listener's address is the relay's, not this node's
      if (addr.toString().includes('/p2p-circuit')) continue
      const config = getNetConfig(addr)
      if (config.type !== 'ip4' || config.protocol !== 'tcp' || config.port == null) continue
      if (isLoopback(addr) ? !loopbackGateway : isPrivate(addr) !== true) continue
      const key = `${config.host}:${config.port}`
      if (this.#asked.has(key) || signal.aborted) continue
      this.#asked.add(key)
      try {
        const m = await gateway.map(config.port, config.host, { protocol: 'TCP', signal })
        const entry = { internalHost: m.internalHost, internalPort: m.internalPort, externalHost: m.externalHost, externalPort: m.externalPort }
        this.mappings.push(entry)
        this.#components.addressManager.addPublicAddressMapping(m.internalHost, m.internalPort, m.externalHost, m.externalPort, 'tcp')
        // advertised at once: the tracker checks it by dialling back, autonat would refuse a private one
        this.#components.addressManager.confirmObservedAddr(multiaddr(`/ip4/${m.externalHost}/tcp/${m.externalPort}`), { type: 'ip-mapping', ttl: 2 ** 31 - 1 })
        this.#log('mapped %s:%d to %s:%d', m.internalHost, m.internalPort, m.externalHost, m.externalPort)
        this.#init.onMapped?.(entry)
      } catch (err) {
        this.#log('could not map %s - %e', key, err)
      }
    }
  }
}

/** A libp2p service that maps the node's ports on a UPnP IGD or NAT-PMP router; see PortMapping. */
export function portMapping (init: PortMappingInit = {}): (components: PortMappingComponents) => PortMappingState {
  return (components) => new PortMapping(components, init)
}

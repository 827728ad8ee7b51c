import type { PortMappingState } from './port-mapping.js'
import type { SelfReport } from './peer-reachability.js'
import type { Connection, Libp2pEvents, Startable, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** What {@link connectionUpgrades} uses of the libp2p components. */
export interface ConnectionUpgradesComponents {
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
}

/** Counts of the service. */
export interface ConnectionUpgradesState {
  /**
   * Direct connections opened with a peer while a relayed (limited) connection with it was
   * open: the relayed one was upgraded, by hole punching (DCUtR) or another direct dial.
   */
  readonly upgraded: number
  /** Calls `listener` after each upgrade; returns a function that stops it. */
  onUpgrade: (listener: () => void) => () => void
}

const isRelayed = (c: Connection): boolean => c.limits != null || c.remoteAddr.toString().includes('/p2p-circuit')

class ConnectionUpgrades implements Startable, ConnectionUpgradesState {
  readonly #components: ConnectionUpgradesComponents
  readonly #listeners = new Set<() => void>()
  upgraded = 0

  constructor (components: ConnectionUpgradesComponents) {
    this.#components = components
  }

  readonly [Symbol.toStringTag] = 'mediaswarm/connection-upgrades'

  start (): void {
    this.#components.events.addEventListener('connection:open', this.#onOpen)
  }

  stop (): void {
    this.#components.events.removeEventListener('connection:open', this.#onOpen)
  }

  onUpgrade (listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  readonly #onOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    if (isRelayed(conn)) return
    const others = this.#components.connectionManager.getConnections(conn.remotePeer)
    if (!others.some(c => c !== conn && isRelayed(c))) return
    this.upgraded++
    for (const listener of this.#listeners) listener()
  }
}

/** A libp2p service counting relayed connections upgraded to direct ones; see ConnectionUpgrades. */
export function connectionUpgrades (): (components: ConnectionUpgradesComponents) => ConnectionUpgradesState {
  return (components) => new ConnectionUpgrades(components)
}

/** The services {@link selfReachability} reads (both optional). */
export interface SelfReachabilityServices {
  portMapping?: PortMappingState
  upgrades?: ConnectionUpgradesState
}

/**
 * What a peer can say of its own reachability to the tracker: `upnp` while its router
 * holds a port mapping for it, `hole-punched` once a relayed connection of its was upgraded
 * to a direct one; undefined when it knows nothing (the tracker's dial-back decides `public`).
 */
export function selfReachability (services: SelfReachabilityServices): SelfReport | undefined {
  if ((services.portMapping?.mappings.length ?? 0) > 0) return 'upnp'
  if ((services.upgrades?.upgraded ?? 0) > 0) return 'hole-punched'
  return undefined
}

import type { Libp2pEvents, Startable, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, TransportManager } from '@libp2p/interface-internal'

/** What {@link trustOwnAddresses} uses of the libp2p components. */
export interface OwnAddressesComponents {
  transportManager: TransportManager
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
}

/** Long enough to mean "for the life of the process" (setTimeout's limit). */
const FOREVER_MS = 2 ** 31 - 1

/**
 * Marks the node's own listening addresses as verified once it listens. libp2p advertises
 * a public IP address it listens on only after AutoNAT confirmed it from outside; a
 * tracker's operator chose its addresses to be reached on, and its peers cannot run that
 * check before they know the address, so a tracker on a public IP would otherwise list
 * only its private and loopback addresses (in tracker.addr, in tickets, in relay
 * reservations).
 */
class OwnAddresses implements Startable {
  readonly #components: OwnAddressesComponents

  constructor (components: OwnAddressesComponents) {
    this.#components = components
  }

  readonly [Symbol.toStringTag] = 'mediaswarm/own-addresses'

  start (): void {
    // listeners start during afterStart, beside this service's own: act when each listens
    this.#components.events.addEventListener('transport:listening', this.#confirm)
  }

  afterStart (): void {
    this.#confirm()
  }

  stop (): void {
    this.#components.events.removeEventListener('transport:listening', this.#confirm)
  }

  readonly #confirm = (): void => {
    for (const addr of this.#components.transportManager.getAddrs()) {
      if (addr.toString().includes('/p2p-circuit')) continue
      this.#components.addressManager.confirmObservedAddr(addr, { type: 'transport', ttl: FOREVER_MS })
    }
  }
}

/** A libp2p service that trusts the node's own listening addresses; see OwnAddresses. */
export function trustOwnAddresses (): (components: OwnAddressesComponents) => Startable {
  return (components) => new OwnAddresses(components)
}

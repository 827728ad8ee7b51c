import { multiaddr } from '@multiformats/multiaddr'
import type { ComponentLogger, Logger, PeerId, Startable, TypedEventTarget, Libp2pEvents } from '@libp2p/interface'
import type { AddressManager, TransportManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What {@link RelayReservations} uses of the libp2p components. */
export interface RelayReservationsComponents {
  transportManager: TransportManager
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/** Options of {@link relayReservations}. */
export interface RelayReservationsInit {
  /** Relay multiaddrs, each ending in /p2p/<relay PeerId> (the tracker's). */
  relays: string[]
  /**
   * Reservations start once this settles (a `get` lets its first ticket come first).
   * @default at start
   */
  after?: Promise<unknown>
}

/** The state of the reservations, for status and tests. */
export interface RelayReservationsState {
  /** Relay addresses this node listens on now (`<relay>/p2p-circuit/p2p/<self>`). */
  readonly circuitAddresses: Multiaddr[]
}

/**
 * Keeps a reservation on each configured relay (the tracker): listens on
 * `<relay>/p2p-circuit` once the host has started, and again each time the relay connects
 * after the reservation was lost (circuit-relay-v2 drops a configured reservation for good
 * when its connection closes, e.g. a tracker restart). Done after start and in the
 * background, so a tracker that is down does not fail the host's start: libp2p would throw
 * if the circuit listen were among `addresses.listen`.
 */
class RelayReservations implements Startable, RelayReservationsState {
  readonly #components: RelayReservationsComponents
  readonly #relays: Array<{ addr: Multiaddr, peer: string }>
  readonly #log: Logger
  readonly #pending = new Set<string>()
  readonly #after?: Promise<unknown>
  #started = false
  /** `after` has settled. */
  #released = false

  constructor (components: RelayReservationsComponents, init: RelayReservationsInit) {
    this.#components = components
    this.#after = init.after
    this.#log = components.logger.forComponent('mediaswarm:host:relay-reservations')
    this.#relays = init.relays.map(r => {
      const addr = multiaddr(r)
      const peer = addr.getComponents().findLast(c => c.name === 'p2p')?.value
      if (peer == null) throw new TypeError(`relay address ${r} does not end in /p2p/<PeerId>`)
      return { addr, peer }
    })
  }

  readonly [Symbol.toStringTag] = 'mediaswarm/relay-reservations'

  get circuitAddresses (): Multiaddr[] {
    return this.#components.addressManager.getAddresses().filter(a => a.toString().includes('/p2p-circuit'))
  }

  start (): void {
    this.#started = true
    this.#components.events.addEventListener('peer:connect', this.#onConnect)
  }

  afterStart (): void {
    const release = (): void => {
      this.#released = true
      for (const relay of this.#relays) this.#ensure(relay)
    }
    if (this.#after == null) release()
    else void this.#after.catch(() => {}).then(release)
  }

  stop (): void {
    this.#started = false
    this.#components.events.removeEventListener('peer:connect', this.#onConnect)
  }

  readonly #onConnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail.toString()
    for (const relay of this.#relays) if (relay.peer === peer) this.#ensure(relay)
  }

  #listening (peer: string): boolean {
    return this.circuitAddresses.some(a => a.toString().includes(`/p2p/${peer}/p2p-circuit`))
  }

  #ensure (relay: { addr: Multiaddr, peer: string }): void {
    if (!this.#started || !this.#released || this.#pending.has(relay.peer) || this.#listening(relay.peer)) return
    this.#pending.add(relay.peer)
    this.#components.transportManager.listen([relay.addr.encapsulate('/p2p-circuit')])
      .then(() => { this.#log('reserved a slot on relay %s', relay.peer) })
      .catch(err => { this.#log('no reservation on relay %s - %e', relay.peer, err) })
      .finally(() => { this.#pending.delete(relay.peer) })
  }
}

/** A libp2p service that keeps this node reachable through the given relays; see RelayReservations. */
export function relayReservations (init: RelayReservationsInit): (components: RelayReservationsComponents) => RelayReservationsState {
  return (components) => new RelayReservations(components, init)
}

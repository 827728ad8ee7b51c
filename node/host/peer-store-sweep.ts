import { peerIdFromCID } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import type { ComponentLogger, Logger, PeerId, PeerStore, Startable } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** What {@link PeerStoreSweep} uses of the libp2p components. */
export interface PeerStoreSweepComponents {
  peerId: PeerId
  datastore: Datastore
  peerStore: PeerStore
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

/** Options of {@link peerStoreSweep}. */
export interface PeerStoreSweepInit {
  /** Time between sweeps. @default 30 minutes */
  intervalMs?: number
}

/** What the service tells of itself. */
export interface PeerStoreSweepState {
  /** Sweeps done. */
  readonly sweeps: number
  /** Records the last sweep removed. */
  readonly removed: number
  /** Sweeps once now, as the timer does; resolves to the number of records removed. */
  sweep: () => Promise<number>
}

const SWEEP_INTERVAL_MS = 30 * 60 * 1000
/**
 * A sweep hands the event loop back after this much work: reading a record costs ~0.1 ms
 * (decoded, its addresses parsed, under the record's lock), so 50,000 records are ~5 s of
 * CPU, which must not delay a tracker's grants by more than a few milliseconds.
 */
const SLICE_MS = 5

/**
 * libp2p's peer store keeps a record for every peer the node has met (about 2 KB of heap
 * each, measured with 50,000) and drops one only when it reads it after it expired (not updated for 6 hours and no
 * address seen for 1 hour). Nothing reads the records of departed peers, so they stayed for
 * the process's life: memory that grew with every identity ever seen, which a peer can mint
 * for free. Every `intervalMs` this reads the records of the peers not connected now, which
 * makes the peer store drop the expired ones by its own rule; connected peers' records are
 * not read (libp2p would drop a long-connected peer's record too, 6 hours after identify).
 * So the store holds the connected peers and those seen in the last 6 hours and a sweep.
 */
class PeerStoreSweep implements Startable, PeerStoreSweepState {
  readonly #components: PeerStoreSweepComponents
  readonly #intervalMs: number
  readonly #log: Logger
  #timer: ReturnType<typeof setInterval> | undefined
  #running: Promise<number> | undefined
  sweeps = 0
  removed = 0

  constructor (components: PeerStoreSweepComponents, init: PeerStoreSweepInit) {
    this.#components = components
    this.#intervalMs = init.intervalMs ?? SWEEP_INTERVAL_MS
    this.#log = components.logger.forComponent('mediaswarm:host:peer-store-sweep')
  }

  readonly [Symbol.toStringTag] = 'mediaswarm/peer-store-sweep'

  start (): void {
    this.#timer = setInterval(() => {
      this.sweep().catch((err: Error) => { this.#log.error('peer store sweep failed: %s', err.message) })
    }, this.#intervalMs)
    this.#timer.unref()
  }

  stop (): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  async sweep (): Promise<number> {
    this.#running ??= this.#sweep().finally(() => { this.#running = undefined })
    return this.#running
  }

  async #sweep (): Promise<number> {
    const { datastore, peerStore, connectionManager, peerId } = this.#components
    const self = peerId.toString()
    const connected = new Set(connectionManager.getConnections().map(c => c.remotePeer.toString()))
    let read = 0
    let removed = 0
    let sliceStart = performance.now()
    for await (const key of datastore.queryKeys({ prefix: PEERS })) {
      const peer = peerFromKey(key.toString())
      const id = peer?.toString()
      if (peer == null || id === self || connected.has(id ?? '')) continue
      // reading a record is what makes the peer store drop it once expired (a record it
      // cannot decode is left as it is, and the sweep goes on)
      if (!(await peerStore.has(peer).catch(() => true))) removed++
      read++
      if (performance.now() - sliceStart >= SLICE_MS) {
        await new Promise(resolve => setImmediate(resolve))
        sliceStart = performance.now()
      }
    }
    this.sweeps++
    this.removed = removed
    this.#log('peer store sweep: %d records of peers not connected read, %d expired ones removed', read, removed)
    return removed
  }
}

/** The peer store's datastore key prefix (`/peers/<the PeerId as a base32 CID>`). */
const PEERS = '/peers/'

function peerFromKey (key: string): PeerId | undefined {
  try {
    return peerIdFromCID(CID.parse(key.slice(PEERS.length)))
  } catch {
    return undefined
  }
}

/** A libp2p service that drops expired peer store records on a timer; see PeerStoreSweep. */
export function peerStoreSweep (init: PeerStoreSweepInit = {}): (components: PeerStoreSweepComponents) => PeerStoreSweepState {
  return (components) => new PeerStoreSweep(components, init)
}

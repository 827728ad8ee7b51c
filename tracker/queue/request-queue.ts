import { defaultLogger } from '@libp2p/logger'
import { Admission, refused } from './admission.js'
import { realClock } from './clock.js'
import { HoldTimeEstimator } from './hold-time.js'
import { Outbox } from './outbox.js'
import { PositionRefresh } from './position-refresh.js'
import { queueOptions } from './queue-options.js'
import { QueuedRequest } from './queued-request.js'
import { RequestIndex } from './request-index.js'
import { RequestTimers } from './request-timers.js'
import { WaitingLine } from './waiting-line.js'
import type {
  Grant, QueueClock, QueueEntry, QueueListener, QueueRequestInit, QueueRequestKey,
  QueueStats, RequestQueueInit, SavedRequest
} from './index.js'

/**
 * The tracker's FIFO of transfer requests: grants `slots` of them at a time, in arrival
 * order, and tells each waiting request its position whenever it changes.
 *
 * Fairness: a peer holds at most `maxActivePerPeer` grants at once; its further requests
 * keep their place but are skipped (not blocking anyone behind them) until one of its grants
 * ends, so grants follow arrival order among the requests that may be granted. A grant that
 * makes no progress for `idleMs` loses its slot, and renewals extend the lease only while
 * the grant made progress within the last `idleMs`. The limits on new requests (per peer, per
 * source address, waiting in all) are {@link Admission}'s.
 *
 * Listeners are called after the queue's state is settled (through an outbox), so a listener
 * may call back into the queue; a position notice carries the latest position at delivery
 * (positions never go up). Only a change of position is pushed (one joining or leaving
 * *behind* a waiter does not notify it); the `waiting` count is current whenever sent. The
 * first `eagerPositions` places hear of each move at once, the others within
 * `positionRefreshMs` (see {@link PositionRefresh}).
 *
 * Costs: O(1) amortised per request, grant and release, plus a pass moving everyone behind
 * up one place, at most `eagerPositions` notices, a scan of front requests of peers at limit.
 */
export class RequestQueue {
  private readonly slots: number
  private readonly admission: Admission
  private readonly idleMs: number
  private readonly leaseMs: number
  private readonly clock: QueueClock
  private readonly timers: RequestTimers
  private readonly refresh: PositionRefresh
  private readonly line = new WaitingLine<QueuedRequest>()
  /** Granted requests, in grant order. */
  private readonly granted = new Set<QueuedRequest>()
  private readonly requests = new RequestIndex()
  private nextSeq = 1
  private readonly holdTime = new HoldTimeEstimator()
  private readonly outbox: Outbox
  private readonly onChange?: () => void
  private stopped = false

  /** @throws RangeError when an option is out of range */
  constructor (init: RequestQueueInit = {}) {
    const o = queueOptions(init)
    this.slots = o.slots
    this.admission = new Admission(o)
    this.idleMs = o.idleMs
    this.leaseMs = o.leaseMs
    this.clock = init.clock ?? realClock
    this.timers = new RequestTimers(this.clock, o.idleMs, o.graceMs, {
      grantOver: (request) => { this.grantOver(request) },
      graceOver: (request) => { this.graceOver(request) }
    })
    this.refresh = new PositionRefresh(this.clock, o.eagerPositions, o.positionRefreshMs, () => { this.refreshPositions() })
    this.onChange = init.onChange
    const log = (init.logger ?? defaultLogger()).forComponent('mediaswarm:tracker:queue')
    this.outbox = new Outbox((request) => ({
      type: 'position',
      position: request.position,
      waiting: this.line.size,
      etaMs: this.holdTime.etaMs(request.position, this.slots)
    }), log)
  }

  /**
   * Adds a request (arrival order = call order), or re-attaches `listener` to an existing
   * (peerId, requestId), which keeps its place (waiting) or its grant. Calls `listener`
   * synchronously with the current position or the grant (a re-attached granted request gets
   * its grant again). Re-attaching does not count against the limits.
   *
   * @throws QueueRefusedError with refusal PEER_LIMIT, ADDRESS_LIMIT, QUEUE_FULL (with
   * `retryAfterMs`), BAD_REQUEST (the requestId is known for another cid) or SHUTTING_DOWN
   * (after `stop()`)
   */
  request (entry: QueueRequestInit, listener: QueueListener): void {
    if (this.stopped) {
      throw refused('SHUTTING_DOWN', 'The queue has been stopped')
    }
    const existing = this.requests.find(entry)
    if (existing !== undefined) {
      if (existing.cid !== entry.cid) {
        throw refused('BAD_REQUEST', `Request ${entry.requestId} is already queued for another cid`)
      }
      this.attach(existing, listener)
      this.outbox.flush()
      return
    }
    const mustWait = this.granted.size >= this.slots || !this.admission.mayGrant(entry.peerId)
    const retryAfterMs = (): number => this.holdTime.retryAfterMs(this.slots)
    this.admission.admit(entry, { held: this.requests.countOf(entry.peerId), mustWait, waiting: this.line.size, retryAfterMs })
    const request = new QueuedRequest(entry, this.clock.now(), this.nextSeq++, listener)
    this.requests.add(request)
    this.admission.queued(request, 1)
    if (mustWait) {
      request.position = this.line.push(request)
      this.outbox.notice(request)
    } else {
      this.grant(request)
    }
    this.outbox.flush()
    this.onChange?.()
  }

  /**
   * Puts back requests saved before a restart, in their arrival order and detached: each
   * keeps its place (or its grant, until its lease runs out) for `graceMs`, waiting for its
   * peer to come back with the same requestId. Call on an empty queue, before `request()`.
   */
  restore (saved: SavedRequest[]): void {
    const now = this.clock.now()
    const noop: QueueListener = () => {}
    for (const entry of [...saved].sort((a, b) => a.seq - b.seq)) {
      if (this.requests.find(entry) !== undefined) continue
      const request = new QueuedRequest(entry, entry.arrivedAt, entry.seq, noop)
      request.listener = undefined
      this.requests.add(request)
      this.nextSeq = Math.max(this.nextSeq, entry.seq + 1)
      if (entry.expiresAt != null && entry.expiresAt > now && this.granted.size < this.slots && this.admission.mayGrant(entry.peerId)) {
        request.state = 'granted'
        request.grantedAt = entry.grantedAt ?? now
        request.expiresAt = entry.expiresAt
        this.addGranted(request, now)
        this.timers.startLease(request)
      } else {
        request.position = this.line.push(request)
      }
      this.timers.startGrace(request)
    }
    this.fillSlots()
    this.outbox.flush()
    this.onChange?.()
  }

  /** Everything needed to {@link restore} the queue after a restart, in arrival order. */
  save (): SavedRequest[] {
    return [
      ...Array.from(this.granted, (r) => ({ ...r.toEntry(), grantedAt: r.grantedAt, expiresAt: r.expiresAt })),
      ...this.line.toArray().map((r) => r.toEntry())
    ].sort((a, b) => a.seq - b.seq)
  }

  /**
   * The listener went away (stream closed, peer disconnected): the request keeps its place or
   * its slot for `graceMs`, then is dropped silently and its place or slot passes on. While
   * detached, it is still granted when its turn comes. `request()` within grace re-attaches.
   */
  detach (key: QueueRequestKey): void {
    const request = this.requests.find(key)
    if (request === undefined) return
    request.listener = undefined
    this.timers.startGrace(request)
  }

  /** {@link detach} for every request of a peer. */
  detachPeer (peerId: string): void {
    for (const request of [...this.requests.ofPeer(peerId)]) {
      this.detach(request)
    }
  }

  /**
   * Removes a waiting or granted request now (cancelled, or done) and frees its slot or place.
   * With `completed`, a granted request's hold time feeds the ETA estimate.
   *
   * @returns false when the request is unknown
   */
  release (key: QueueRequestKey, completed = false): boolean {
    const request = this.requests.find(key)
    if (request === undefined) return false
    if (completed && request.state === 'granted') {
      this.holdTime.record(this.clock.now() - request.grantedAt)
    }
    this.remove(request)
    this.outbox.flush()
    this.onChange?.()
    return true
  }

  /**
   * The grant moved verified bytes (the tracker served its holder, or the holder's bitfield
   * grew): it keeps its slot past `idleMs`, and the next renewal extends its lease.
   *
   * @returns false when the request holds no grant
   */
  progress (key: QueueRequestKey): boolean {
    const request = this.requests.find(key)
    if (request?.state !== 'granted') return false
    request.lastProgressAt = this.clock.now()
    return true
  }

  /** The grant `peerId` holds for `cid`, if any. */
  grantOf (peerId: string, cid: string): QueueRequestKey | undefined {
    for (const request of this.requests.ofPeer(peerId)) {
      if (request.state === 'granted' && request.cid === cid) return request
    }
    return undefined
  }

  /** Peers holding a grant for `cid` now, in grant order (O(slots)). */
  grantedPeers (cid: string): string[] {
    const out: string[] = []
    for (const request of this.granted) if (request.cid === cid) out.push(request.peerId)
    return out
  }

  /** Whether the request is in the queue (waiting or granted). */
  has (key: QueueRequestKey): boolean {
    return this.requests.find(key) !== undefined
  }

  /** Whether the request holds a grant now. */
  isGranted (key: QueueRequestKey): boolean {
    return this.requests.find(key)?.state === 'granted'
  }

  /**
   * Extends a grant's lease to now + `leaseMs` while it made progress (see {@link progress})
   * within the last `idleMs` (a fresh grant counts as progress at its grant time); a grant
   * without progress for longer is not extended, and its idle check ends it anyway. Undefined
   * when the request holds no grant.
   */
  renew (key: QueueRequestKey): Grant | undefined {
    const request = this.requests.find(key)
    if (request?.state !== 'granted') return undefined
    const now = this.clock.now()
    if (now - request.lastProgressAt < this.idleMs) {
      request.expiresAt = now + this.leaseMs
      this.timers.startLease(request)
    }
    // a holder that renews is alive, even if it went away and came back (or we restarted)
    this.timers.clearGrace(request)
    this.onChange?.()
    return request.toGrant()
  }

  /** Grants currently held, in the order they were granted. */
  grants (): Grant[] {
    return Array.from(this.granted, (request) => request.toGrant())
  }

  /** Waiting requests, front first (detached ones included). */
  waiting (): QueueEntry[] {
    return this.line.toArray().map((request) => request.toEntry())
  }

  /**
   * {@link grants} without a copy of each grant: the queue's own records, for a caller that
   * reads them at once (they change as the queue moves; never keep or modify them). The
   * tracker's metrics look at the grants after every change.
   */
  grantsView (): Iterable<Readonly<Grant>> {
    return this.granted
  }

  /** {@link waiting} without a copy of each entry (read at once; never keep or modify them). */
  waitingView (): Array<Readonly<QueueEntry>> {
    return this.line.toArray()
  }

  /** Counts and the current hold-time estimate. */
  stats (): QueueStats {
    return {
      waiting: this.line.size,
      granted: this.granted.size,
      slots: this.slots,
      avgHoldMs: Math.round(this.holdTime.averageMs)
    }
  }

  /** Clears every timer and forgets every request, telling no one; `request()` is refused after. */
  stop (): void {
    this.stopped = true
    for (const request of this.requests.all()) {
      this.timers.clearAll(request)
      request.state = 'gone'
      request.listener = undefined
    }
    this.requests.clear()
    this.admission.clear()
    this.granted.clear()
    this.line.clear()
    this.outbox.clear()
    this.refresh.stop()
  }

  private attach (request: QueuedRequest, listener: QueueListener): void {
    this.timers.clearGrace(request)
    request.listener = listener
    if (request.state === 'granted') {
      this.outbox.send(listener, { type: 'granted', grant: request.toGrant() })
    } else {
      request.notified = 0
      this.outbox.notice(request)
    }
  }

  private grant (request: QueuedRequest): void {
    const now = this.clock.now()
    request.state = 'granted'
    request.grantedAt = now
    request.expiresAt = now + this.leaseMs
    this.addGranted(request, now)
    this.timers.startLease(request)
    if (request.listener !== undefined) {
      this.outbox.send(request.listener, { type: 'granted', grant: request.toGrant() })
    }
  }

  /** Takes a request out of the queue and hands its place or slot on. */
  private remove (request: QueuedRequest): void {
    this.timers.clearAll(request)
    this.requests.delete(request)
    const was = request.state
    request.state = 'gone'
    request.listener = undefined
    this.admission.queued(request, -1)
    if (was === 'waiting') {
      this.line.remove(request)
      this.advanceBehind(request.lineIndex)
    } else if (was === 'granted') {
      this.granted.delete(request)
      this.admission.granted(request, -1)
      this.fillSlots()
    }
  }

  private addGranted (request: QueuedRequest, now: number): void {
    this.granted.add(request)
    this.admission.granted(request, 1)
    request.lastProgressAt = now
    this.timers.startIdle(request)
  }

  /**
   * Grants free slots to the first eligible requests of the line, in order: requests of
   * peers already at `maxActivePerPeer` keep their place and are skipped.
   */
  private fillSlots (): void {
    while (this.granted.size < this.slots) {
      let next: QueuedRequest | undefined
      for (const request of this.line) {
        if (this.admission.mayGrant(request.peerId)) { next = request; break }
      }
      if (next === undefined) return
      this.line.remove(next)
      this.grant(next)
      this.advanceBehind(next.lineIndex)
    }
  }

  /** Everyone behind the slot a request just left moves up one place. */
  private advanceBehind (lineIndex: number): void {
    this.line.forEachAfter(lineIndex, (request) => {
      request.position--
      if (this.refresh.tellNow(request.position)) this.outbox.notice(request)
    })
  }

  /** Tells every waiting request whose position changed since it was last told. */
  private refreshPositions (): void {
    if (this.stopped) return
    for (const request of this.line) {
      if (request.position !== request.notified) this.outbox.notice(request)
    }
    this.outbox.flush()
  }

  /** The lease ran out or the grant sat idle: the holder is told, the slot passes on. */
  private grantOver (request: QueuedRequest): void {
    if (this.stopped || request.state !== 'granted') return
    if (request.listener !== undefined) {
      this.outbox.send(request.listener, { type: 'expired' })
    }
    this.remove(request)
    this.outbox.flush()
    this.onChange?.()
  }

  private graceOver (request: QueuedRequest): void {
    if (this.stopped || request.state === 'gone' || request.listener !== undefined) return
    this.remove(request)
    this.outbox.flush()
    this.onChange?.()
  }
}

import { checkInteger } from './admission.js'
import {
  DEFAULT_EAGER_POSITIONS, DEFAULT_GRACE_MS, DEFAULT_IDLE_MS, DEFAULT_LEASE_MS, DEFAULT_MAX_ACTIVE_PER_PEER,
  DEFAULT_MAX_PER_PEER, DEFAULT_MAX_PER_SOURCE, DEFAULT_MAX_WAITING, DEFAULT_POSITION_REFRESH_MS, DEFAULT_SLOTS, MAX_TIMER_MS
} from './constants.js'
import type { RequestQueueInit } from './index.js'

/** Every numeric option of a {@link RequestQueueInit}, checked and with its default. */
export type QueueOptions = Required<Omit<RequestQueueInit, 'clock' | 'onChange' | 'logger'>>

/**
 * The queue's options with defaults applied.
 *
 * @throws RangeError when an option is out of range
 */
export function queueOptions (init: RequestQueueInit): QueueOptions {
  const eager = init.eagerPositions ?? DEFAULT_EAGER_POSITIONS
  return {
    slots: checkInteger('slots', init.slots ?? DEFAULT_SLOTS, 1),
    maxWaiting: checkInteger('maxWaiting', init.maxWaiting ?? DEFAULT_MAX_WAITING, 0),
    maxPerPeer: checkInteger('maxPerPeer', init.maxPerPeer ?? DEFAULT_MAX_PER_PEER, 1),
    maxActivePerPeer: checkInteger('maxActivePerPeer', init.maxActivePerPeer ?? DEFAULT_MAX_ACTIVE_PER_PEER, 1),
    maxPerSource: checkInteger('maxPerSource', init.maxPerSource ?? DEFAULT_MAX_PER_SOURCE, 1),
    idleMs: checkInteger('idleMs', init.idleMs ?? DEFAULT_IDLE_MS, 1, MAX_TIMER_MS),
    leaseMs: checkInteger('leaseMs', init.leaseMs ?? DEFAULT_LEASE_MS, 1, MAX_TIMER_MS),
    graceMs: checkInteger('graceMs', init.graceMs ?? DEFAULT_GRACE_MS, 0, MAX_TIMER_MS),
    eagerPositions: eager === Infinity ? Infinity : checkInteger('eagerPositions', eager, 1),
    positionRefreshMs: checkInteger('positionRefreshMs', init.positionRefreshMs ?? DEFAULT_POSITION_REFRESH_MS, 1, MAX_TIMER_MS)
  }
}

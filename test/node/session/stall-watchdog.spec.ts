import assert from 'node:assert/strict'
import { Availability } from '../../../node/session/availability.js'
import { PiecePicker } from '../../../node/session/piece-picker.js'
import { ProviderState } from '../../../node/session/provider-state.js'
import { newlyWeak, weaken } from '../../../node/session/stall-watchdog.js'
import { Bitfield } from '../../../node/store/index.js'
import type { Logger } from '@libp2p/interface'

const log = Object.assign(() => {}, { enabled: false, trace: () => {}, error: () => {}, newScope: () => log }) as unknown as Logger

describe('session: stall watchdog', function () {
  it('weaken() marks the stalled providers weak, takes their requests back for others, and cancels each provider\'s requests at once', function () {
    const availability = new Availability(8)
    const full = new Bitfield(8)
    for (let i = 0; i < 8; i++) full.set(i)
    availability.add('a', full)
    availability.add('b', full)
    const picker = new PiecePicker(new Bitfield(8), availability)
    const a = new ProviderState({ peerId: 'a', multiaddrs: [] }, 4)
    const b = new ProviderState({ peerId: 'b', multiaddrs: [] }, 4)
    a.inflight = picker.pick('a', 3)
    const asked = [...a.inflight]
    a.lastProgress = 0
    b.lastProgress = 0
    const now = 10_000
    // b owes nothing: not stalled
    const weak = newlyWeak([a, b], now, 4000, () => false)
    assert.deepEqual(weak, [a])
    const cancels: Array<[string, number[]]> = []
    weaken(weak, picker, now, log, (p, pieces) => { cancels.push([p.id, [...pieces]]) })
    assert.equal(a.weak, true)
    assert.equal(b.weak, false)
    assert.deepEqual(a.inflight, [])
    assert.deepEqual([...a.cancelled].sort(), [...asked].sort())
    assert.deepEqual(cancels, [['a', asked]])
    // the pieces are no longer in flight anywhere: b may take them
    assert.deepEqual(picker.pick('b', 8).filter(i => asked.includes(i)).sort(), [...asked].sort())
    // a weak provider is not found weak again
    assert.deepEqual(newlyWeak([a, b], now, 4000, () => false), [])
  })
})

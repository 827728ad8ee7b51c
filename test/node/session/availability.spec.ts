import assert from 'node:assert/strict'
import { Availability, Bitfield, PiecePicker } from '../../../node/index.js'

const full = (n: number): Bitfield => Bitfield.full(n)
const none = (n: number): Bitfield => new Bitfield(n)

describe('session: availability model and piece picker', function () {
  it('counts peers, not the uncounted fallback; "not here" and removal take claims out of the counts', function () {
    const a = new Availability(4)
    a.add('tracker', full(4), false)
    a.add('p1', full(4))
    a.add('p2', full(4))
    assert.deepEqual([0, 1, 2, 3].map(i => a.count(i)), [2, 2, 2, 2])
    assert.equal(a.notHere('p1', 1), true, 'p1 had claimed piece 1')
    assert.equal(a.notHere('p1', 1), false, 'a second "not here" is no news')
    assert.equal(a.count(1), 1)
    assert.equal(a.has('p1', 1), false)
    a.remove('p2')
    assert.deepEqual([0, 1, 2, 3].map(i => a.count(i)), [1, 0, 1, 1])
    assert.equal(a.have('p1', 1), true)
    assert.equal(a.have('p1', 1), false)
    assert.equal(a.count(1), 1)
    a.remove('tracker')
    assert.equal(a.count(0), 1, 'removing the uncounted fallback changes no count')
  })

  it('the fallback takes only pieces no healthy peer holds: none while a peer claims all, all once the claims are withdrawn', function () {
    const a = new Availability(4)
    const picker = new PiecePicker(none(4), a, () => 0)
    a.add('tracker', full(4), false)
    a.add('liar', full(4))
    assert.deepEqual(picker.pick('tracker', 4, { fallback: true }), [])
    for (const i of [0, 1, 2, 3]) a.notHere('liar', i)
    assert.deepEqual(picker.pick('tracker', 4, { fallback: true }).sort(), [0, 1, 2, 3])
  })

  it('the fallback may take pieces whose only holders are weak (stalled) providers', function () {
    const a = new Availability(3)
    const picker = new PiecePicker(none(3), a, () => 0)
    a.add('tracker', full(3), false)
    a.add('staller', full(3))
    const bits = new Bitfield(3)
    bits.set(2)
    a.add('honest', bits)
    assert.deepEqual(picker.pick('tracker', 3, { fallback: true }), [])
    const picked = picker.pick('tracker', 3, { fallback: true, weak: new Set(['staller']) })
    assert.deepEqual(picked.sort(), [0, 1], 'piece 2 has a healthy holder')
  })

  it('duplicates in-flight pieces only in the real endgame (every missing piece in flight)', function () {
    const a = new Availability(4)
    const picker = new PiecePicker(none(4), a, () => 0)
    const two = new Bitfield(4)
    two.set(0); two.set(1)
    a.add('p1', two)
    a.add('p2', two)
    a.add('p3', full(4))
    assert.deepEqual(picker.pick('p1', 2).sort(), [0, 1])
    // pieces 2 and 3 are not in flight: p2 gets no duplicate of 0 or 1
    assert.deepEqual(picker.pick('p2', 2), [])
    assert.equal(picker.endgame, false)
    assert.deepEqual(picker.pick('p3', 2).sort(), [2, 3])
    assert.equal(picker.endgame, true)
    assert.deepEqual(picker.pick('p2', 2).sort(), [0, 1], 'endgame: p2 helps with what is in flight')
    assert.deepEqual(picker.completed(0).sort(), ['p1', 'p2'])
  })

  it('picks rarest first across rarity levels, skipping held, in-flight and unheld pieces, and honours `owned`', function () {
    const n = 12
    const a = new Availability(n)
    const have = none(n)
    have.set(11) // held already
    const picker = new PiecePicker(have, a, Math.random)
    // piece i is held by (i % 3) + 1 peers: p1 holds every piece, p2 those with i % 3 >= 1, p3 those with i % 3 === 2
    const p2 = none(n)
    const p3 = none(n)
    for (let i = 0; i < n; i++) {
      if (i % 3 >= 1) p2.set(i)
      if (i % 3 === 2) p3.set(i)
    }
    a.add('p1', full(n))
    a.add('p2', p2)
    a.add('p3', p3)
    const rarity = (i: number): number => a.count(i)

    // p1 may get anything: the four pieces held once (0, 3, 6, 9), then two of those held twice
    const first = picker.pick('p1', 6)
    assert.equal(first.length, 6)
    assert.deepEqual(first.slice(0, 4).sort((x, y) => x - y), [0, 3, 6, 9])
    assert.deepEqual(first.slice(4).map(rarity), [2, 2])
    // p2: the two pieces held twice that are not in flight, then those held three times (not 11: held)
    const second = picker.pick('p2', 10)
    const twice = [1, 4, 7, 10].filter(i => !first.includes(i))
    assert.deepEqual(second.slice(0, 2).sort((x, y) => x - y), twice)
    assert.deepEqual(second.slice(2).sort((x, y) => x - y), [2, 5, 8])
    // nothing is left that is neither held nor in flight: only the endgame would hand more out
    assert.deepEqual(picker.pick('p3', 4, { endgameMissing: 0 }), [])
    // `owned` limits rarest-first picks to the pieces it accepts
    picker.release(0, 'p1')
    picker.release(3, 'p1')
    assert.deepEqual(picker.pick('p1', 4, { owned: (i) => i !== 0 }), [3])
  })
})

import assert from 'node:assert/strict'
import { MAX_PENDING_WANTS, WantQueue } from '../../../../node/protocols/transfer/want-queue.js'
import type { NextWant } from '../../../../node/protocols/transfer/want-queue.js'

describe('node/protocols/transfer: WantQueue', function () {
  /** A 16-piece file that counts hand-outs (the tracker's library), `counts` per piece. */
  const file = (counts: Record<number, number> = {}): { pieceCount: number, timesServed: (i: number) => number } =>
    ({ pieceCount: 16, timesServed: (i) => counts[i] ?? 0 })
  const drain = (q: WantQueue): NextWant[] => {
    const out: NextWant[] = []
    for (let next = q.take(); next != null; next = q.take()) out.push(next)
    return out
  }
  const order = (q: WantQueue): number[] => drain(q).map(n => n.index)

  it('serves urgent pieces first, in the order given, then the least-served wants', function () {
    // 9 was served twice, the rest never: least-served order alone would send 9 last
    const q = new WantQueue(file({ 9: 2, 3: 1 }))
    q.add([1, 2, 3, 9, 4], [9, 3])
    assert.deepEqual(q.peek(), { index: 9, urgent: true })
    assert.deepEqual(drain(q), [
      { index: 9, urgent: true }, { index: 3, urgent: true },
      { index: 1, urgent: false }, { index: 2, urgent: false }, { index: 4, urgent: false }
    ])
    assert.equal(q.take(), undefined)
    assert.equal(q.peek(), undefined)
  })

  it('without urgent marks keeps the least-served order (a never-served piece anywhere first)', function () {
    const q = new WantQueue(file({ 1: 2, 2: 2, 3: 1 }))
    q.add([1, 2, 3, 5])
    assert.deepEqual(order(q), [5, 3, 1, 2])
  })

  it('ignores marks for pieces not wanted, and marks repeated', function () {
    const q = new WantQueue(file({ 4: 1 }))
    q.add([4, 5], [7, 4, 4])
    assert.deepEqual(drain(q), [{ index: 4, urgent: true }, { index: 5, urgent: false }])
  })

  it('marks may name pieces wanted earlier; a request with wants or marks replaces them, others leave them', function () {
    const q = new WantQueue(file({ 2: 1, 3: 1 }))
    q.add([1, 2, 3])
    q.add([], [3]) // a resend: 3 became urgent
    q.add([], []) // a cancel or ticket only: marks stay
    assert.deepEqual(q.peek(), { index: 3, urgent: true })
    q.add([6]) // wants without marks: none urgent any more
    assert.deepEqual(order(q), [1, 6, 2, 3])
  })

  it('drops a mark whose piece was removed (cancelled, or sent as a substitute)', function () {
    const q = new WantQueue(file())
    q.add([1, 2, 3], [3, 2])
    assert.equal(q.remove(3), true)
    assert.equal(q.remove(3), false)
    assert.deepEqual(drain(q), [{ index: 2, urgent: true }, { index: 1, urgent: false }])
  })

  it('on a file that counts nothing (a peer) serves urgent pieces first, then as asked', function () {
    const q = new WantQueue({ pieceCount: 16 })
    q.add([5, 1, 7, 0], [7])
    assert.deepEqual(order(q), [7, 5, 1, 0])
  })

  it('throws ProtocolError for a piece or a mark past the file, and for too many wants', function () {
    const q = new WantQueue(file())
    assert.throws(() => { q.add([16]) }, (err: Error) => err.name === 'ProtocolError')
    assert.throws(() => { q.add([1], [16]) }, (err: Error) => err.name === 'ProtocolError' && /Urgent piece 16/.test(err.message))
    const full = new WantQueue(file())
    full.add(Array.from({ length: MAX_PENDING_WANTS }, (_, i) => i % 16))
    assert.throws(() => { full.add([0]) }, (err: Error) => err.name === 'ProtocolError' && /Too many/.test(err.message))
  })
})

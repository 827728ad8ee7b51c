import assert from 'node:assert/strict'
import { leastServedAt } from '../../../../node/protocols/transfer/least-served.js'

describe('node/protocols/transfer: leastServedAt', function () {
  const served = (counts: Record<number, number>): { timesServed: (i: number) => number } => ({ timesServed: (i) => counts[i] ?? 0 })

  it('picks the least-served wanted piece, the first of equals', function () {
    assert.equal(leastServedAt([4, 7, 9, 2], served({ 4: 3, 7: 1, 9: 2, 2: 1 })), 1)
  })

  it('looks past the first wants: a never-served piece anywhere goes first', function () {
    assert.equal(leastServedAt([1, 2, 3, 4, 5], served({ 1: 2, 2: 2, 3: 2, 4: 2, 5: 0 })), 4)
  })

  it('takes the first piece when it was never served, or when the file counts nothing', function () {
    assert.equal(leastServedAt([5, 6], served({ 6: 4 })), 0)
    assert.equal(leastServedAt([5, 6], {}), 0)
    assert.equal(leastServedAt([], served({})), 0)
  })
})

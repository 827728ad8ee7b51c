import assert from 'node:assert/strict'
import { newlyUrgent, preemptForUrgent } from '../../../node/session/preempt.js'
import type { ProviderState } from '../../../node/session/provider-state.js'

describe('node/session/preempt: a seek pre-empts queued background requests', function () {
  const provider = (id: string, inflight: number[]): ProviderState => ({ id, inflight }) as unknown as ProviderState
  const run = (urgent: number[], ps: ProviderState[], opts: { stored?: number[], asked?: number[], holds: Record<string, number[]> }): Array<[string, number]> => {
    const cancelled: Array<[string, number]> = []
    preemptForUrgent(urgent, ps, {
      has: (i) => opts.stored?.includes(i) === true,
      asked: (i) => opts.asked?.includes(i) === true,
      holds: (p, i) => opts.holds[p.id]?.includes(i) === true,
      cancel: (p, i) => { cancelled.push([p.id, i]) }
    })
    return cancelled
  }

  it('cancels, at a provider holding a waiting urgent piece, the background requests past the first two', function () {
    const a = provider('a', [1, 2, 3, 4, 50])
    const b = provider('b', [7, 8, 9])
    assert.deepEqual(run([60, 50], [a, b], { holds: { a: [60], b: [] } }), [['a', 3], ['a', 4]])
  })

  it('cancels nothing when every urgent piece is stored or already asked for', function () {
    const a = provider('a', [1, 2, 3, 4])
    assert.deepEqual(run([60, 61], [a], { stored: [60], asked: [61], holds: { a: [60, 61] } }), [])
  })

  it('newlyUrgent: the pieces in flight at a provider that just became urgent, most urgent first', function () {
    // 8 and 3 were asked as background pieces; 5 was urgent already; 9 is not asked of it
    assert.deepEqual(newlyUrgent([3, 5, 8], new Set([5]), [9, 8, 5, 3]), [8, 3])
    assert.deepEqual(newlyUrgent([3, 5], new Set([5, 3]), [5, 3]), [])
    assert.deepEqual(newlyUrgent([], new Set(), [1, 2]), [])
  })
})

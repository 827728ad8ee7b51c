import assert from 'node:assert/strict'
import { DEFAULT_HISTORY_CAPACITY, History, HistorySampler } from '../../tracker/history.js'

const sample = (t: number): { t: number, queueLength: number, uploadRate: number, offload: number } => ({ t, queueLength: t, uploadRate: 0, offload: 0 })

describe('tracker history', function () {
  it('keeps one hour by default and at most its capacity, oldest first, newest last', function () {
    assert.equal(new History().capacity, DEFAULT_HISTORY_CAPACITY)
    assert.equal(DEFAULT_HISTORY_CAPACITY, 3600)
    const h = new History(5)
    assert.deepEqual(h.samples(), [])
    assert.equal(h.latest(), undefined)
    for (let t = 1; t <= 12; t++) h.push(sample(t))
    assert.equal(h.size, 5)
    assert.deepEqual(h.samples().map(s => s.t), [8, 9, 10, 11, 12])
    assert.deepEqual(h.samples(2).map(s => s.t), [11, 12])
    assert.deepEqual(h.samples(100).map(s => s.t), [8, 9, 10, 11, 12])
    assert.deepEqual(h.samples(0), [])
    assert.equal(h.latest()?.t, 12)
    assert.throws(() => new History(0), RangeError)
  })

  it('samples the upload rate from the tracker total and offload from both totals', function () {
    let now = 10_000
    const totals = { queueLength: 3, servedByTracker: 0, servedByPeers: 0 }
    const history = new History(10)
    const sampler = new HistorySampler({ history, read: () => ({ ...totals }), now: () => now })
    const first = sampler.sample()
    assert.deepEqual(first, { t: 10_000, queueLength: 3, uploadRate: 0, offload: 0 })
    now += 2000
    totals.servedByTracker = 4000
    totals.servedByPeers = 12_000
    const second = sampler.sample()
    assert.equal(second.uploadRate, 2000)
    assert.equal(second.offload, 0.75)
    now += 1000
    const third = sampler.sample()
    assert.equal(third.uploadRate, 0, 'no new bytes: no upload')
    assert.equal(third.offload, 0.75, 'offload is over everything delivered since start')
    assert.deepEqual(history.samples().map(s => s.t), [10_000, 12_000, 13_000])
  })
})

import assert from 'node:assert/strict'
import { MAX_POSITION_INTERVAL_MS, MIN_POSITION_INTERVAL_MS, positionIntervalMs } from '../../../tracker/protocols/update-writer.js'

describe('tracker/protocols position throttling', () => {
  it('pushes far positions less often the further back they are, within 1 s to 10 s', () => {
    assert.equal(positionIntervalMs(9), MIN_POSITION_INTERVAL_MS)
    assert.equal(positionIntervalMs(500), 5000)
    assert.equal(positionIntervalMs(1_000_000), MAX_POSITION_INTERVAL_MS)
    // 2,000 waiters: a few hundred position messages a second in all, not 2,000 per grant
    let perSecond = 0
    for (let p = 9; p <= 2000; p++) perSecond += 1000 / positionIntervalMs(p)
    assert.ok(perSecond < 500, `${perSecond.toFixed(0)} messages a second`)
  })
})

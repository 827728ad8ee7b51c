import assert from 'node:assert/strict'
import { queueHarness, prng } from '../../fixtures/queue-kit.js'

describe('tracker/queue RequestQueue at scale', () => {
  const t = queueHarness()

  describe('scale', () => {
    it('grants 10,000 requests from 100 peers exactly in arrival order', function () {
      this.timeout(120_000)
      const slots = 4
      // every place hears every move (see 'places behind eagerPositions' for the default)
      t.make({ slots, maxPerPeer: 100, maxActivePerPeer: 100, maxWaiting: 10_000, eagerPositions: Infinity })
      const random = prng(7)
      const total = 10_000
      const arrival: number[] = []
      const grantOrder: number[] = []
      const lastPosition = new Float64Array(total).fill(Infinity)
      let positionEvents = 0
      let risingPositions = 0

      // 100 requests per peer, interleaved in a shuffled order
      const peerOf = Array.from({ length: total }, (_, i) => i % 100)
      for (let i = total - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[peerOf[i], peerOf[j]] = [peerOf[j], peerOf[i]]
      }
      for (let i = 0; i < total; i++) {
        const peerId = `peer-${peerOf[i]}`
        const requestId = `req-${i}`
        arrival.push(i)
        t.queue.request({ peerId, requestId, cid: `cid-${i % 17}` }, (event) => {
          if (event.type === 'granted') {
            grantOrder.push(i)
          } else if (event.type === 'position') {
            positionEvents++
            // counted, not asserted: the queue logs and swallows what a listener throws
            if (event.position >= lastPosition[i]) {
              risingPositions++
            }
            lastPosition[i] = event.position
          }
        })
      }
      assert.deepEqual(t.queue.stats(), { waiting: total - slots, granted: slots, slots, avgHoldMs: 0 })

      while (t.queue.stats().granted > 0) {
        const held = t.queue.grants()
        const g = held[Math.floor(random() * held.length)]
        t.clock.tick(1 + Math.floor(random() * 10))
        const before = grantOrder.length
        t.queue.release(g, true)
        assert.ok(grantOrder.length === before + 1 || t.queue.stats().waiting === 0)
      }
      assert.equal(grantOrder.length, total)
      assert.deepEqual(grantOrder, arrival)
      // each of the 9,996 that waited hears every move: position p … 1
      const expected = Array.from({ length: total - slots }, (_, i) => i + 1).reduce((a, b) => a + b, 0)
      assert.equal(positionEvents, expected)
      assert.equal(risingPositions, 0, 'positions only go down')
      // how long release + grant + position sweep takes is measured by bench:tracker, not asserted here
    })
  })
})

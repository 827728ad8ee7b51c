import assert from 'node:assert/strict'
import { RequestQueue } from '../../../tracker/queue/index.js'
import { queueHarness, recorder, prng, key, entry, refusal } from '../../fixtures/queue-kit.js'
import type { Grant, QueueListener } from '../../../tracker/queue/index.js'
import type { Recorder } from '../../fixtures/queue-kit.js'

describe('tracker/queue RequestQueue', () => {
  const t = queueHarness()

  describe('basics', () => {
    it('grants at once while slots are free, then queues with a position', () => {
      t.make({ slots: 2 })
      const a = recorder()
      const b = recorder()
      const c = recorder()
      t.queue.request(entry('p1', 'a'), a.listener)
      t.queue.request(entry('p2', 'b'), b.listener)
      t.queue.request(entry('p1', 'c'), c.listener)

      assert.equal(a.events.length, 1)
      const grant = a.grant()
      assert.ok(grant !== undefined)
      assert.deepEqual(grant, {
        peerId: 'p1', requestId: 'a', cid: 'cid-1', arrivedAt: t.clock.now(), seq: 1, grantedAt: t.clock.now(), expiresAt: t.clock.now() + 60_000
      })
      assert.equal(b.last()?.type, 'granted')
      assert.deepEqual(c.events, [{ type: 'position', position: 1, waiting: 1, etaMs: 0 }])
      assert.deepEqual(t.queue.stats(), { waiting: 1, granted: 2, slots: 2, avgHoldMs: 0 })
      assert.deepEqual(t.queue.grants().map((g) => g.requestId), ['a', 'b'])
      assert.deepEqual(t.queue.waiting().map((e) => [e.requestId, e.seq]), [['c', 3]])
    })

    it('grantsView and waitingView show what grants() and waiting() copy, the same record for as long as a grant is held', () => {
      t.make({ slots: 2 })
      for (const [p, r] of [['p1', 'a'], ['p2', 'b'], ['p3', 'c'], ['p4', 'd']]) t.queue.request(entry(p, r), recorder().listener)
      const pick = (g: Readonly<Grant>): unknown => ({ peerId: g.peerId, requestId: g.requestId, cid: g.cid, arrivedAt: g.arrivedAt, seq: g.seq, grantedAt: g.grantedAt, expiresAt: g.expiresAt })
      assert.deepEqual([...t.queue.grantsView()].map(pick), t.queue.grants())
      assert.deepEqual(t.queue.waitingView().map((e) => [e.peerId, e.requestId, e.seq]), t.queue.waiting().map((e) => [e.peerId, e.requestId, e.seq]))
      const b = [...t.queue.grantsView()][1]
      t.queue.release({ peerId: 'p1', requestId: 'a' })
      assert.equal([...t.queue.grantsView()][0], b, 'a held grant is the same object after the queue moved')
      assert.deepEqual([...t.queue.grantsView()].map((g) => g.requestId), ['b', 'c'])
      assert.deepEqual(t.queue.waitingView().map((e) => e.requestId), ['d'])
    })

    it('uses the documented defaults', () => {
      t.make()
      for (let i = 0; i < 5; i++) {
        t.queue.request(entry(`p${i}`, 'r'), recorder().listener)
      }
      assert.deepEqual(t.queue.stats(), { waiting: 1, granted: 4, slots: 4, avgHoldMs: 0 })
      assert.equal(t.queue.grants()[0].expiresAt - t.queue.grants()[0].grantedAt, 60_000)
    })

    it('rejects options out of range', () => {
      assert.throws(() => new RequestQueue({ slots: 0 }), RangeError)
      assert.throws(() => new RequestQueue({ slots: 1.5 }), RangeError)
      assert.throws(() => new RequestQueue({ maxWaiting: -1 }), RangeError)
      assert.throws(() => new RequestQueue({ maxPerPeer: 0 }), RangeError)
      assert.throws(() => new RequestQueue({ leaseMs: 0 }), RangeError)
      assert.throws(() => new RequestQueue({ graceMs: 2 ** 31 }), RangeError)
      assert.throws(() => new RequestQueue({ leaseMs: Number.NaN }), RangeError)
    })

    it('release of a granted request grants the next synchronously, before positions move', () => {
      t.make({ slots: 1 })
      const order: string[] = []
      const listen = (name: string): QueueListener => (event) => { order.push(`${name}:${event.type}`) }
      t.queue.request(entry('p1', 'a'), listen('a'))
      t.queue.request(entry('p2', 'b'), listen('b'))
      t.queue.request(entry('p3', 'c'), listen('c'))
      order.length = 0

      assert.equal(t.queue.release(key('p1', 'a'), true), true)
      assert.deepEqual(order, ['b:granted', 'c:position'])
      assert.deepEqual(t.queue.grants().map((g) => g.requestId), ['b'])
    })

    it('release returns false for unknown requests and twice-released ones', () => {
      t.make({ slots: 1 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      assert.equal(t.queue.release(key('p1', 'nope')), false)
      assert.equal(t.queue.release(key('p9', 'a')), false)
      assert.equal(t.queue.release(key('p1', 'a')), true)
      assert.equal(t.queue.release(key('p1', 'a')), false)
      assert.deepEqual(t.queue.stats(), { waiting: 0, granted: 0, slots: 1, avgHoldMs: 0 })
    })
  })

  describe('FIFO and positions', () => {
    it('grants strictly in arrival order over many requests from several peers with slot churn', () => {
      // the per-peer grant limit off: this checks the plain FIFO (see 'fairness' for the default)
      t.make({ slots: 3, maxPerPeer: 50, maxActivePerPeer: 50 })
      const random = prng(42)
      const peers = ['p0', 'p1', 'p2', 'p3', 'p4']
      const recorders = new Map<string, Recorder>()
      const arrival: string[] = []
      const grantOrder: string[] = []
      let next = 0

      const arrive = (): void => {
        const peerId = peers[Math.floor(random() * peers.length)]
        const requestId = `r${next++}`
        const rec = recorder()
        recorders.set(`${peerId}/${requestId}`, rec)
        arrival.push(`${peerId}/${requestId}`)
        t.queue.request(entry(peerId, requestId), (event) => {
          rec.listener(event)
          if (event.type === 'granted') {
            grantOrder.push(`${event.grant.peerId}/${event.grant.requestId}`)
          }
        })
      }

      /** Every waiting listener's latest position is its real one; positions never went up. */
      const checkPositions = (): void => {
        const waiting = t.queue.waiting()
        waiting.forEach((e, index) => {
          const rec = recorders.get(`${e.peerId}/${e.requestId}`)
          assert.ok(rec !== undefined)
          const last = rec.last()
          assert.ok(last?.type === 'position', `${e.requestId} should have a position`)
          assert.equal(last.position, index + 1, `${e.requestId} position`)
          // `waiting` is refreshed with every position change, not when requests come or go behind
          assert.ok(last.waiting >= last.position)
          const positions = rec.positions()
          for (let i = 1; i < positions.length; i++) {
            assert.ok(positions[i] < positions[i - 1], `${e.requestId} positions must strictly decrease: ${positions.join(',')}`)
          }
        })
      }

      for (let i = 0; i < 30; i++) {
        arrive()
      }
      checkPositions()
      for (let step = 0; step < 400 || next < 200; step++) {
        const r = random()
        if (r < 0.4 && next < 200) {
          arrive()
        } else if (r < 0.85) {
          const held = t.queue.grants()
          if (held.length > 0) {
            const g = held[Math.floor(random() * held.length)]
            t.clock.tick(Math.floor(random() * 1000))
            assert.equal(t.queue.release(g, random() < 0.8), true)
          }
        } else {
          // cancel a waiting request somewhere in the line
          const waiting = t.queue.waiting()
          if (waiting.length > 0) {
            const w = waiting[Math.floor(random() * waiting.length)]
            assert.equal(t.queue.release(w), true)
            arrival.splice(arrival.indexOf(`${w.peerId}/${w.requestId}`), 1)
          }
        }
        checkPositions()
        assert.ok(t.queue.stats().granted === 3 || t.queue.stats().waiting === 0, 'no slot stays free while requests wait')
      }
      while (t.queue.grants().length > 0) {
        t.queue.release(t.queue.grants()[0], true)
      }
      assert.equal(next, 200)
      assert.deepEqual(grantOrder, arrival)
    })

    it('sends one position event only to the requests whose position changed', () => {
      t.make({ slots: 1 })
      const recs = ['a', 'b', 'c', 'd', 'e'].map((id) => {
        const rec = recorder()
        t.queue.request(entry(`peer-${id}`, id), rec.listener)
        return rec
      })
      const [, b, c, d, e] = recs
      assert.deepEqual([b, c, d, e].map((r) => r.positions()), [[1], [2], [3], [4]])

      // a request arriving behind changes no one's position
      t.queue.request(entry('peer-f', 'f'), recorder().listener)
      assert.deepEqual([b, c, d, e].map((r) => r.events.length), [1, 1, 1, 1])

      // cancelling c (position 2) moves only d and e
      assert.equal(t.queue.release(key('peer-c', 'c')), true)
      assert.deepEqual([b, c, d, e].map((r) => r.positions()), [[1], [2], [3, 2], [4, 3]])
      assert.deepEqual(d.last(), { type: 'position', position: 2, waiting: 4, etaMs: 0 })
      assert.deepEqual(e.last(), { type: 'position', position: 3, waiting: 4, etaMs: 0 })
      assert.equal(c.events.length, 1, 'a released request hears nothing more')

      // the grant frees a slot: everybody waiting moves up once
      t.queue.release(key('peer-a', 'a'), true)
      assert.equal(b.last()?.type, 'granted')
      assert.deepEqual(d.positions(), [3, 2, 1])
      assert.deepEqual(e.positions(), [4, 3, 2])
    })

    it('places behind eagerPositions hear their latest position once per positionRefreshMs, never a rise', () => {
      t.make({ slots: 1, eagerPositions: 2, positionRefreshMs: 1000 })
      const recs = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => {
        const rec = recorder()
        t.queue.request(entry(id, id), rec.listener)
        return rec
      })
      const [, b, c, d, e, f] = recs
      assert.deepEqual([b, c, d, e, f].map((r) => r.positions()), [[1], [2], [3], [4], [5]])
      t.queue.release(key('a', 'a'), true)
      // c and d are in the first two places: told at once; e (3) and f (4) are not yet
      assert.deepEqual([c, d, e, f].map((r) => r.positions()), [[2, 1], [3, 2], [4], [5]])
      t.queue.release(key('b', 'b'), true)
      // e moved into the eager places: told at once, its stale 3 skipped
      assert.deepEqual([d, e, f].map((r) => r.positions()), [[3, 2, 1], [4, 2], [5]])
      t.clock.tick(999)
      assert.deepEqual(f.positions(), [5])
      t.clock.tick(1)
      assert.deepEqual(f.positions(), [5, 3], 'the refresh tells f its latest position')
      assert.deepEqual(f.last(), { type: 'position', position: 3, waiting: 3, etaMs: 0 })
      assert.deepEqual([d, e].map((r) => r.positions()), [[3, 2, 1], [4, 2]], 'and nobody else twice')
      t.clock.tick(5000)
      assert.equal(f.positions().length, 2, 'no refresh without a move')
      const g = recorder()
      t.queue.request(entry('g', 'g'), g.listener)
      t.queue.release(key('c', 'c'), true)
      assert.deepEqual(g.positions(), [4], 'g moved to 3: a refresh is due')
      t.queue.stop()
      t.clock.tick(5000)
      assert.deepEqual(g.positions(), [4], 'a stopped queue tells no one')
    })

    it('estimates ETA as ceil(position / slots) × EWMA of completed holds', () => {
      t.make({ slots: 2, maxPerPeer: 20, maxActivePerPeer: 2 })
      const recs = Array.from({ length: 8 }, (_, i) => {
        const rec = recorder()
        t.queue.request(entry('p', `r${i}`), rec.listener)
        return rec
      })
      assert.equal(t.queue.stats().avgHoldMs, 0)
      t.clock.tick(10_000)
      t.queue.release(key('p', 'r0'), true) // hold 10 s: first sample sets the average
      assert.equal(t.queue.stats().avgHoldMs, 10_000)
      // r3..r7 now wait at positions 1..5
      assert.deepEqual(recs.slice(3).map((r) => r.last()), [1, 2, 3, 4, 5].map((position) => ({
        type: 'position', position, waiting: 5, etaMs: Math.ceil(position / 2) * 10_000
      })))

      t.clock.tick(10_000)
      t.queue.release(key('p', 'r1'), true) // held 20 s → 10 + 0.2 × (20 − 10) = 12 s
      assert.equal(t.queue.stats().avgHoldMs, 12_000)
      assert.deepEqual(recs[7].last(), { type: 'position', position: 4, waiting: 4, etaMs: 24_000 })

      // a release without `completed`, or of a waiting request, does not feed the estimate
      t.clock.tick(50_000)
      t.queue.release(key('p', 'r2'))
      t.queue.release(key('p', 'r7'), true)
      assert.equal(t.queue.stats().avgHoldMs, 12_000)
    })

    it('release of a waiting request shifts the positions behind it', () => {
      t.make({ slots: 1 })
      t.queue.request(entry('p1', 'g'), recorder().listener)
      const w = ['w1', 'w2', 'w3'].map((id) => {
        const rec = recorder()
        t.queue.request(entry('p2', id), rec.listener)
        return rec
      })
      assert.equal(t.queue.release(key('p2', 'w1')), true)
      assert.deepEqual(t.queue.waiting().map((e) => e.requestId), ['w2', 'w3'])
      assert.deepEqual(w[1].positions(), [2, 1])
      assert.deepEqual(w[2].positions(), [3, 2])
      t.queue.release(key('p1', 'g'), true)
      assert.equal(w[1].last()?.type, 'granted')
      assert.deepEqual(w[2].positions(), [3, 2, 1])
    })
  })

  describe('limits', () => {
    it('refuses PEER_LIMIT counting waiting + granted requests of that peer only', () => {
      t.make({ slots: 1, maxPerPeer: 2 })
      t.queue.request(entry('p1', 'a'), recorder().listener) // granted
      t.queue.request(entry('p1', 'b'), recorder().listener) // waiting
      const err = refusal(() => { t.queue.request(entry('p1', 'c'), recorder().listener) })
      assert.equal(err.refusal, 'PEER_LIMIT')
      assert.equal(t.queue.stats().waiting, 1)

      // other peers are not affected, re-attaching is not a new request
      t.queue.request(entry('p2', 'a'), recorder().listener)
      t.queue.request(entry('p1', 'b'), recorder().listener)
      assert.equal(t.queue.stats().waiting, 2)

      // after one is done the peer may ask again, and goes to the back
      t.queue.release(key('p1', 'a'), true)
      t.queue.request(entry('p1', 'c'), recorder().listener)
      assert.deepEqual(t.queue.waiting().map((e) => `${e.peerId}/${e.requestId}`), ['p2/a', 'p1/c'])
    })

    it('refuses QUEUE_FULL beyond maxWaiting with a retry-after', () => {
      t.make({ slots: 1, maxWaiting: 2 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      t.queue.request(entry('p2', 'b'), recorder().listener)
      t.queue.request(entry('p3', 'c'), recorder().listener)
      const err = refusal(() => { t.queue.request(entry('p4', 'd'), recorder().listener) })
      assert.equal(err.refusal, 'QUEUE_FULL')
      assert.equal(err.retryAfterMs, 5_000, 'a positive default while no hold time is known')
      assert.deepEqual(t.queue.stats(), { waiting: 2, granted: 1, slots: 1, avgHoldMs: 0 })

      t.clock.tick(8_000)
      t.queue.release(key('p1', 'a'), true)
      t.queue.request(entry('p4', 'd'), recorder().listener)
      const again = refusal(() => { t.queue.request(entry('p5', 'e'), recorder().listener) })
      assert.equal(again.refusal, 'QUEUE_FULL')
      assert.equal(again.retryAfterMs, 8_000, 'one slot turnover')
    })

    it('bounds the retry-after below by a second', () => {
      t.make({ slots: 4, maxWaiting: 0 })
      for (let i = 0; i < 4; i++) {
        t.queue.request(entry(`p${i}`, 'r'), recorder().listener)
      }
      t.clock.tick(2_000)
      t.queue.release(key('p0', 'r'), true) // avg 2 s over 4 slots = 500 ms
      t.queue.request(entry('p0', 'again'), recorder().listener)
      assert.equal(refusal(() => { t.queue.request(entry('p9', 'r'), recorder().listener) }).retryAfterMs, 1_000)
    })

    it('never refuses QUEUE_FULL while a slot is free', () => {
      t.make({ slots: 1, maxWaiting: 0 })
      const a = recorder()
      t.queue.request(entry('p1', 'a'), a.listener)
      assert.equal(a.last()?.type, 'granted')
      assert.equal(refusal(() => { t.queue.request(entry('p2', 'b'), recorder().listener) }).refusal, 'QUEUE_FULL')
    })
  })
})

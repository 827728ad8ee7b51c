import assert from 'node:assert/strict'
import { queueHarness, recorder, key, entry, refusal } from '../../fixtures/queue-kit.js'
import type { QueueListener } from '../../../tracker/queue/index.js'

describe('tracker/queue RequestQueue leases, detach and re-attach', () => {
  const t = queueHarness()

  describe('leases', () => {
    it('lease expiry frees the slot, tells the holder and grants the next', () => {
      t.make({ slots: 1, leaseMs: 1_000 })
      const a = recorder()
      const b = recorder()
      t.queue.request(entry('p1', 'a'), a.listener)
      t.queue.request(entry('p2', 'b'), b.listener)
      t.clock.tick(999)
      assert.equal(a.events.length, 1)
      t.clock.tick(1)
      assert.deepEqual(a.last(), { type: 'expired' })
      const grant = b.grant()
      assert.equal(grant?.requestId, 'b')
      assert.equal(grant?.grantedAt, t.clock.now())
      assert.equal(grant?.expiresAt, t.clock.now() + 1_000)
      assert.deepEqual(t.queue.grants().map((g) => g.requestId), ['b'])
      assert.equal(t.queue.release(key('p1', 'a')), false, 'an expired request is gone')
      assert.equal(t.queue.stats().avgHoldMs, 0, 'expiry does not feed the estimate')
    })

    it('renew postpones the expiry', () => {
      t.make({ slots: 1, leaseMs: 1_000 })
      const a = recorder()
      const b = recorder()
      t.queue.request(entry('p1', 'a'), a.listener)
      t.queue.request(entry('p2', 'b'), b.listener)
      t.clock.tick(600)
      assert.equal(t.queue.progress(key('p1', 'a')), true)
      const renewed = t.queue.renew(key('p1', 'a'))
      assert.equal(renewed?.expiresAt, t.clock.now() + 1_000)
      assert.equal(t.queue.grants()[0].expiresAt, t.clock.now() + 1_000)
      t.clock.tick(600) // past the first expiry
      assert.equal(a.events.length, 1)
      assert.equal(b.last()?.type, 'position')
      t.clock.tick(400)
      assert.deepEqual(a.last(), { type: 'expired' })
      assert.equal(b.last()?.type, 'granted')
    })

    it('renew is undefined for waiting and unknown requests', () => {
      t.make({ slots: 1 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      t.queue.request(entry('p2', 'b'), recorder().listener)
      assert.equal(t.queue.renew(key('p2', 'b')), undefined)
      assert.equal(t.queue.renew(key('p3', 'x')), undefined)
    })

    it('a released grant leaves no timer behind', () => {
      t.make({ slots: 1 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      assert.equal(t.clock.pending, 2, 'a lease and an idle check')
      t.queue.release(key('p1', 'a'), true)
      assert.equal(t.clock.pending, 0)
    })
  })

  describe('detach and grace', () => {
    it('a detached waiting request keeps its place and counts in others\' positions', () => {
      t.make({ slots: 1, graceMs: 5_000 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      const b = recorder()
      const c = recorder()
      t.queue.request(entry('p2', 'b'), b.listener)
      t.queue.request(entry('p3', 'c'), c.listener)
      t.queue.detach(key('p2', 'b'))
      t.clock.tick(4_999)
      assert.deepEqual(c.positions(), [2])
      assert.deepEqual(t.queue.waiting().map((e) => e.requestId), ['b', 'c'])

      const b2 = recorder()
      t.queue.request(entry('p2', 'b'), b2.listener)
      assert.deepEqual(b2.events, [{ type: 'position', position: 1, waiting: 2, etaMs: 0 }])
      t.clock.tick(10_000) // the cancelled grace must not fire
      assert.deepEqual(t.queue.waiting().map((e) => e.requestId), ['b', 'c'])
      assert.equal(b.events.length, 1, 'the old listener hears nothing more')
    })

    it('a detached request whose turn comes is granted, and gets its grant on re-attach', () => {
      t.make({ slots: 1, graceMs: 5_000 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      const b = recorder()
      const c = recorder()
      t.queue.request(entry('p2', 'b'), b.listener)
      t.queue.request(entry('p3', 'c'), c.listener)
      t.queue.detach(key('p2', 'b'))
      t.clock.tick(1_000)
      t.queue.release(key('p1', 'a'), true)
      assert.deepEqual(t.queue.grants().map((g) => g.requestId), ['b'], 'the slot is reserved for b')
      assert.equal(b.events.length, 1, 'nothing reaches a detached listener')
      assert.deepEqual(c.positions(), [2, 1])

      t.clock.tick(1_000)
      const b2 = recorder()
      t.queue.request(entry('p2', 'b'), b2.listener)
      assert.equal(b2.events.length, 1)
      assert.deepEqual(b2.grant(), t.queue.grants()[0])
      assert.equal(b2.grant()?.grantedAt, t.clock.now() - 1_000)
      t.clock.tick(10_000)
      assert.deepEqual(t.queue.grants().map((g) => g.requestId), ['b'], 're-attached: grace cancelled')
    })

    it('a detached grant keeps its slot within grace and gets it again on re-attach', () => {
      t.make({ slots: 1, graceMs: 5_000, leaseMs: 60_000, idleMs: 60_000 })
      const a = recorder()
      const b = recorder()
      t.queue.request(entry('p1', 'a'), a.listener)
      t.queue.request(entry('p2', 'b'), b.listener)
      t.queue.detach(key('p1', 'a'))
      t.clock.tick(4_000)
      assert.equal(b.last()?.type, 'position')
      const a2 = recorder()
      t.queue.request(entry('p1', 'a'), a2.listener)
      assert.deepEqual(a2.grant(), a.grant())
      t.clock.tick(30_000)
      assert.equal(b.last()?.type, 'position')
    })

    it('grace expiry drops a waiting request silently and moves the line up', () => {
      t.make({ slots: 1, graceMs: 5_000 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      const b = recorder()
      const c = recorder()
      const d = recorder()
      t.queue.request(entry('p2', 'b'), b.listener)
      t.queue.request(entry('p3', 'c'), c.listener)
      t.queue.request(entry('p4', 'd'), d.listener)
      t.queue.detach(key('p3', 'c'))
      t.clock.tick(5_000)
      assert.deepEqual(t.queue.waiting().map((e) => e.requestId), ['b', 'd'])
      assert.equal(c.events.length, 1)
      assert.deepEqual(b.positions(), [1])
      assert.deepEqual(d.positions(), [3, 2])
      // the dropped request is forgotten: asking again is a new arrival at the back
      const c2 = recorder()
      t.queue.request(entry('p3', 'c'), c2.listener)
      assert.deepEqual(c2.positions(), [3])
    })

    it('grace expiry of a detached grant passes the slot on', () => {
      t.make({ slots: 1, graceMs: 5_000 })
      const a = recorder()
      const b = recorder()
      t.queue.request(entry('p1', 'a'), a.listener)
      t.queue.request(entry('p2', 'b'), b.listener)
      t.queue.detach(key('p1', 'a'))
      t.clock.tick(5_000)
      assert.equal(a.events.length, 1, 'no event without a listener')
      assert.equal(b.last()?.type, 'granted')
      assert.equal(b.grant()?.grantedAt, t.clock.now())
      assert.equal(t.queue.stats().granted, 1)
    })

    it('a detached request granted while detached is dropped at the end of its grace', () => {
      t.make({ slots: 1, graceMs: 5_000 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      t.queue.request(entry('p2', 'b'), recorder().listener)
      const c = recorder()
      t.queue.request(entry('p3', 'c'), c.listener)
      t.queue.detach(key('p2', 'b'))
      t.clock.tick(1_000)
      t.queue.release(key('p1', 'a'))
      assert.deepEqual(t.queue.grants().map((g) => g.requestId), ['b'])
      t.clock.tick(4_000)
      assert.deepEqual(t.queue.grants().map((g) => g.requestId), ['c'])
      assert.equal(c.last()?.type, 'granted')
    })

    it('a detached grant still expires with its lease (silently)', () => {
      t.make({ slots: 1, graceMs: 5_000, leaseMs: 2_000 })
      const a = recorder()
      const b = recorder()
      t.queue.request(entry('p1', 'a'), a.listener)
      t.queue.request(entry('p2', 'b'), b.listener)
      t.queue.detach(key('p1', 'a'))
      t.clock.tick(2_000)
      assert.equal(a.events.length, 1)
      assert.equal(b.last()?.type, 'granted')
      t.clock.tick(1_000)
      assert.equal(t.clock.pending, 2, 'only b\'s lease and idle check are left: a\'s grace went with it')
    })

    it('detachPeer detaches every request of that peer', () => {
      t.make({ slots: 1, graceMs: 5_000, maxPerPeer: 10 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      t.queue.request(entry('p1', 'b'), recorder().listener)
      const other = recorder()
      t.queue.request(entry('p2', 'x'), other.listener)
      t.queue.detachPeer('p1')
      t.queue.detachPeer('nobody')
      t.clock.tick(5_000)
      assert.deepEqual(t.queue.grants().map((g) => g.requestId), ['x'])
      assert.equal(t.queue.stats().waiting, 0)
      assert.deepEqual(other.events.map((e) => e.type), ['position', 'position', 'granted'])
    })

    it('detach of an unknown request is a no-op, and detaching twice keeps the first grace', () => {
      t.make({ slots: 1, graceMs: 5_000 })
      t.queue.detach(key('p1', 'nope'))
      t.queue.request(entry('p1', 'a'), recorder().listener)
      t.queue.detach(key('p1', 'a'))
      t.clock.tick(3_000)
      t.queue.detach(key('p1', 'a'))
      t.clock.tick(2_000)
      assert.equal(t.queue.stats().granted, 0)
    })
  })

  describe('re-attach', () => {
    it('re-attaching with the same requestId does not create a duplicate', () => {
      t.make({ slots: 1 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      const first = recorder()
      t.queue.request(entry('p2', 'b'), first.listener)
      t.queue.request(entry('p3', 'c'), recorder().listener)
      const second = recorder()
      t.queue.request(entry('p2', 'b'), second.listener) // a second stream while the first is open
      assert.deepEqual(t.queue.waiting().map((e) => [e.requestId, e.seq]), [['b', 2], ['c', 3]])
      assert.deepEqual(t.queue.stats(), { waiting: 2, granted: 1, slots: 1, avgHoldMs: 0 })
      assert.deepEqual(second.events, [{ type: 'position', position: 1, waiting: 2, etaMs: 0 }])

      t.queue.release(key('p1', 'a'))
      assert.equal(second.last()?.type, 'granted', 'the newest listener gets the grant')
      assert.equal(first.events.length, 1, 'the replaced listener hears nothing')
    })

    it('refuses BAD_REQUEST when a known requestId asks for another cid', () => {
      t.make({ slots: 1 })
      t.queue.request(entry('p1', 'a', 'cid-1'), recorder().listener)
      assert.equal(refusal(() => { t.queue.request(entry('p1', 'a', 'cid-2'), recorder().listener) }).refusal, 'BAD_REQUEST')
      assert.equal(t.queue.grants()[0].cid, 'cid-1')
    })
  })

  describe('robustness', () => {
    it('a listener may call back into the queue synchronously', () => {
      t.make({ slots: 1 })
      const seen: string[] = []
      // every grant is released as soon as it is heard of: the whole line drains in one call
      const listener = (id: string): QueueListener => (event) => {
        seen.push(`${id}:${event.type}${event.type === 'position' ? event.position : ''}`)
        if (event.type === 'granted') {
          t.queue.release(event.grant, true)
        }
      }
      t.queue.request(entry('p0', 'a'), () => {}) // holds the slot
      t.queue.request(entry('p1', 'b'), listener('b'))
      t.queue.request(entry('p2', 'c'), listener('c'))
      t.queue.request(entry('p3', 'd'), listener('d'))
      t.queue.release(key('p0', 'a'))
      // c's position 1 lasted only while b's listener ran: it is superseded by c's grant
      assert.deepEqual(seen, ['b:position1', 'c:position2', 'd:position3', 'b:granted', 'd:position1', 'c:granted', 'd:granted'])
      assert.deepEqual(t.queue.stats(), { waiting: 0, granted: 0, slots: 1, avgHoldMs: 0 })
    })

    it('a throwing listener does not break the queue', () => {
      t.make({ slots: 1 })
      t.queue.request(entry('p1', 'a'), recorder().listener)
      t.queue.request(entry('p2', 'b'), () => { throw new Error('boom') })
      const c = recorder()
      t.queue.request(entry('p3', 'c'), c.listener)
      t.queue.release(key('p1', 'a'))
      assert.deepEqual(t.queue.grants().map((g) => g.requestId), ['b'])
      assert.deepEqual(c.positions(), [2, 1])
    })

    it('stop clears every timer and refuses new requests', () => {
      t.make({ slots: 1, graceMs: 5_000 })
      const a = recorder()
      t.queue.request(entry('p1', 'a'), a.listener)
      t.queue.request(entry('p2', 'b'), recorder().listener)
      t.queue.detach(key('p2', 'b'))
      assert.equal(t.clock.pending, 3, 'a\'s lease and idle check, b\'s grace')
      t.queue.stop()
      assert.equal(t.clock.pending, 0)
      assert.equal(refusal(() => { t.queue.request(entry('p3', 'c'), recorder().listener) }).refusal, 'SHUTTING_DOWN')
      assert.equal(t.queue.release(key('p1', 'a')), false)
      assert.deepEqual(t.queue.stats(), { waiting: 0, granted: 0, slots: 1, avgHoldMs: 0 })
      t.clock.tick(120_000)
      assert.equal(a.events.length, 1)
    })
  })
})

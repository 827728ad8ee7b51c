import assert from 'node:assert/strict'
import { RequestQueue } from '../../../tracker/queue/index.js'
import { FakeClock } from '../../fixtures/fake-clock.js'
import { recorder, key, entry, refusal } from '../../fixtures/queue-kit.js'
import type { QueueListener, RequestQueueInit } from '../../../tracker/queue/index.js'

describe('tracker/queue RequestQueue leases, detach and re-attach', () => {
  let clock: FakeClock
  let queue: RequestQueue

  function make (init: RequestQueueInit = {}): RequestQueue {
    queue = new RequestQueue({ clock, ...init })
    return queue
  }

  beforeEach(() => {
    clock = new FakeClock()
  })

  afterEach(() => {
    queue?.stop()
  })

  describe('leases', () => {
    it('lease expiry frees the slot, tells the holder and grants the next', () => {
      make({ slots: 1, leaseMs: 1_000 })
      const a = recorder()
      const b = recorder()
      queue.request(entry('p1', 'a'), a.listener)
      queue.request(entry('p2', 'b'), b.listener)
      clock.tick(999)
      assert.equal(a.events.length, 1)
      clock.tick(1)
      assert.deepEqual(a.last(), { type: 'expired' })
      const grant = b.grant()
      assert.equal(grant?.requestId, 'b')
      assert.equal(grant?.grantedAt, clock.now())
      assert.equal(grant?.expiresAt, clock.now() + 1_000)
      assert.deepEqual(queue.grants().map((g) => g.requestId), ['b'])
      assert.equal(queue.release(key('p1', 'a')), false, 'an expired request is gone')
      assert.equal(queue.stats().avgHoldMs, 0, 'expiry does not feed the estimate')
    })

    it('renew postpones the expiry', () => {
      make({ slots: 1, leaseMs: 1_000 })
      const a = recorder()
      const b = recorder()
      queue.request(entry('p1', 'a'), a.listener)
      queue.request(entry('p2', 'b'), b.listener)
      clock.tick(600)
      assert.equal(queue.progress(key('p1', 'a')), true)
      const renewed = queue.renew(key('p1', 'a'))
      assert.equal(renewed?.expiresAt, clock.now() + 1_000)
      assert.equal(queue.grants()[0].expiresAt, clock.now() + 1_000)
      clock.tick(600) // past the first expiry
      assert.equal(a.events.length, 1)
      assert.equal(b.last()?.type, 'position')
      clock.tick(400)
      assert.deepEqual(a.last(), { type: 'expired' })
      assert.equal(b.last()?.type, 'granted')
    })

    it('renew is undefined for waiting and unknown requests', () => {
      make({ slots: 1 })
      queue.request(entry('p1', 'a'), recorder().listener)
      queue.request(entry('p2', 'b'), recorder().listener)
      assert.equal(queue.renew(key('p2', 'b')), undefined)
      assert.equal(queue.renew(key('p3', 'x')), undefined)
    })

    it('a released grant leaves no timer behind', () => {
      make({ slots: 1 })
      queue.request(entry('p1', 'a'), recorder().listener)
      assert.equal(clock.pending, 2, 'a lease and an idle check')
      queue.release(key('p1', 'a'), true)
      assert.equal(clock.pending, 0)
    })
  })

  describe('detach and grace', () => {
    it('a detached waiting request keeps its place and counts in others\' positions', () => {
      make({ slots: 1, graceMs: 5_000 })
      queue.request(entry('p1', 'a'), recorder().listener)
      const b = recorder()
      const c = recorder()
      queue.request(entry('p2', 'b'), b.listener)
      queue.request(entry('p3', 'c'), c.listener)
      queue.detach(key('p2', 'b'))
      clock.tick(4_999)
      assert.deepEqual(c.positions(), [2])
      assert.deepEqual(queue.waiting().map((e) => e.requestId), ['b', 'c'])

      const b2 = recorder()
      queue.request(entry('p2', 'b'), b2.listener)
      assert.deepEqual(b2.events, [{ type: 'position', position: 1, waiting: 2, etaMs: 0 }])
      clock.tick(10_000) // the cancelled grace must not fire
      assert.deepEqual(queue.waiting().map((e) => e.requestId), ['b', 'c'])
      assert.equal(b.events.length, 1, 'the old listener hears nothing more')
    })

    it('a detached request whose turn comes is granted, and gets its grant on re-attach', () => {
      make({ slots: 1, graceMs: 5_000 })
      queue.request(entry('p1', 'a'), recorder().listener)
      const b = recorder()
      const c = recorder()
      queue.request(entry('p2', 'b'), b.listener)
      queue.request(entry('p3', 'c'), c.listener)
      queue.detach(key('p2', 'b'))
      clock.tick(1_000)
      queue.release(key('p1', 'a'), true)
      assert.deepEqual(queue.grants().map((g) => g.requestId), ['b'], 'the slot is reserved for b')
      assert.equal(b.events.length, 1, 'nothing reaches a detached listener')
      assert.deepEqual(c.positions(), [2, 1])

      clock.tick(1_000)
      const b2 = recorder()
      queue.request(entry('p2', 'b'), b2.listener)
      assert.equal(b2.events.length, 1)
      assert.deepEqual(b2.grant(), queue.grants()[0])
      assert.equal(b2.grant()?.grantedAt, clock.now() - 1_000)
      clock.tick(10_000)
      assert.deepEqual(queue.grants().map((g) => g.requestId), ['b'], 're-attached: grace cancelled')
    })

    it('a detached grant keeps its slot within grace and gets it again on re-attach', () => {
      make({ slots: 1, graceMs: 5_000, leaseMs: 60_000, idleMs: 60_000 })
      const a = recorder()
      const b = recorder()
      queue.request(entry('p1', 'a'), a.listener)
      queue.request(entry('p2', 'b'), b.listener)
      queue.detach(key('p1', 'a'))
      clock.tick(4_000)
      assert.equal(b.last()?.type, 'position')
      const a2 = recorder()
      queue.request(entry('p1', 'a'), a2.listener)
      assert.deepEqual(a2.grant(), a.grant())
      clock.tick(30_000)
      assert.equal(b.last()?.type, 'position')
    })

    it('grace expiry drops a waiting request silently and moves the line up', () => {
      make({ slots: 1, graceMs: 5_000 })
      queue.request(entry('p1', 'a'), recorder().listener)
      const b = recorder()
      const c = recorder()
      const d = recorder()
      queue.request(entry('p2', 'b'), b.listener)
      queue.request(entry('p3', 'c'), c.listener)
      queue.request(entry('p4', 'd'), d.listener)
      queue.detach(key('p3', 'c'))
      clock.tick(5_000)
      assert.deepEqual(queue.waiting().map((e) => e.requestId), ['b', 'd'])
      assert.equal(c.events.length, 1)
      assert.deepEqual(b.positions(), [1])
      assert.deepEqual(d.positions(), [3, 2])
      // the dropped request is forgotten: asking again is a new arrival at the back
      const c2 = recorder()
      queue.request(entry('p3', 'c'), c2.listener)
      assert.deepEqual(c2.positions(), [3])
    })

    it('grace expiry of a detached grant passes the slot on', () => {
      make({ slots: 1, graceMs: 5_000 })
      const a = recorder()
      const b = recorder()
      queue.request(entry('p1', 'a'), a.listener)
      queue.request(entry('p2', 'b'), b.listener)
      queue.detach(key('p1', 'a'))
      clock.tick(5_000)
      assert.equal(a.events.length, 1, 'no event without a listener')
      assert.equal(b.last()?.type, 'granted')
      assert.equal(b.grant()?.grantedAt, clock.now())
      assert.equal(queue.stats().granted, 1)
    })

    it('a detached request granted while detached is dropped at the end of its grace', () => {
      make({ slots: 1, graceMs: 5_000 })
      queue.request(entry('p1', 'a'), recorder().listener)
      queue.request(entry('p2', 'b'), recorder().listener)
      const c = recorder()
      queue.request(entry('p3', 'c'), c.listener)
      queue.detach(key('p2', 'b'))
      clock.tick(1_000)
      queue.release(key('p1', 'a'))
      assert.deepEqual(queue.grants().map((g) => g.requestId), ['b'])
      clock.tick(4_000)
      assert.deepEqual(queue.grants().map((g) => g.requestId), ['c'])
      assert.equal(c.last()?.type, 'granted')
    })

    it('a detached grant still expires with its lease (silently)', () => {
      make({ slots: 1, graceMs: 5_000, leaseMs: 2_000 })
      const a = recorder()
      const b = recorder()
      queue.request(entry('p1', 'a'), a.listener)
      queue.request(entry('p2', 'b'), b.listener)
      queue.detach(key('p1', 'a'))
      clock.tick(2_000)
      assert.equal(a.events.length, 1)
      assert.equal(b.last()?.type, 'granted')
      clock.tick(1_000)
      assert.equal(clock.pending, 2, 'only b\'s lease and idle check are left: a\'s grace went with it')
    })

    it('detachPeer detaches every request of that peer', () => {
      make({ slots: 1, graceMs: 5_000, maxPerPeer: 10 })
      queue.request(entry('p1', 'a'), recorder().listener)
      queue.request(entry('p1', 'b'), recorder().listener)
      const other = recorder()
      queue.request(entry('p2', 'x'), other.listener)
      queue.detachPeer('p1')
      queue.detachPeer('nobody')
      clock.tick(5_000)
      assert.deepEqual(queue.grants().map((g) => g.requestId), ['x'])
      assert.equal(queue.stats().waiting, 0)
      assert.deepEqual(other.events.map((e) => e.type), ['position', 'position', 'granted'])
    })

    it('detach of an unknown request is a no-op, and detaching twice keeps the first grace', () => {
      make({ slots: 1, graceMs: 5_000 })
      queue.detach(key('p1', 'nope'))
      queue.request(entry('p1', 'a'), recorder().listener)
      queue.detach(key('p1', 'a'))
      clock.tick(3_000)
      queue.detach(key('p1', 'a'))
      clock.tick(2_000)
      assert.equal(queue.stats().granted, 0)
    })
  })

  describe('re-attach', () => {
    it('re-attaching with the same requestId does not create a duplicate', () => {
      make({ slots: 1 })
      queue.request(entry('p1', 'a'), recorder().listener)
      const first = recorder()
      queue.request(entry('p2', 'b'), first.listener)
      queue.request(entry('p3', 'c'), recorder().listener)
      const second = recorder()
      queue.request(entry('p2', 'b'), second.listener) // a second stream while the first is open
      assert.deepEqual(queue.waiting().map((e) => [e.requestId, e.seq]), [['b', 2], ['c', 3]])
      assert.deepEqual(queue.stats(), { waiting: 2, granted: 1, slots: 1, avgHoldMs: 0 })
      assert.deepEqual(second.events, [{ type: 'position', position: 1, waiting: 2, etaMs: 0 }])

      queue.release(key('p1', 'a'))
      assert.equal(second.last()?.type, 'granted', 'the newest listener gets the grant')
      assert.equal(first.events.length, 1, 'the replaced listener hears nothing')
    })

    it('refuses BAD_REQUEST when a known requestId asks for another cid', () => {
      make({ slots: 1 })
      queue.request(entry('p1', 'a', 'cid-1'), recorder().listener)
      assert.equal(refusal(() => { queue.request(entry('p1', 'a', 'cid-2'), recorder().listener) }).refusal, 'BAD_REQUEST')
      assert.equal(queue.grants()[0].cid, 'cid-1')
    })
  })

  describe('robustness', () => {
    it('a listener may call back into the queue synchronously', () => {
      make({ slots: 1 })
      const seen: string[] = []
      // every grant is released as soon as it is heard of: the whole line drains in one call
      const listener = (id: string): QueueListener => (event) => {
        seen.push(`${id}:${event.type}${event.type === 'position' ? event.position : ''}`)
        if (event.type === 'granted') {
          queue.release(event.grant, true)
        }
      }
      queue.request(entry('p0', 'a'), () => {}) // holds the slot
      queue.request(entry('p1', 'b'), listener('b'))
      queue.request(entry('p2', 'c'), listener('c'))
      queue.request(entry('p3', 'd'), listener('d'))
      queue.release(key('p0', 'a'))
      // c's position 1 lasted only while b's listener ran: it is superseded by c's grant
      assert.deepEqual(seen, ['b:position1', 'c:position2', 'd:position3', 'b:granted', 'd:position1', 'c:granted', 'd:granted'])
      assert.deepEqual(queue.stats(), { waiting: 0, granted: 0, slots: 1, avgHoldMs: 0 })
    })

    it('a throwing listener does not break the queue', () => {
      make({ slots: 1 })
      queue.request(entry('p1', 'a'), recorder().listener)
      queue.request(entry('p2', 'b'), () => { throw new Error('boom') })
      const c = recorder()
      queue.request(entry('p3', 'c'), c.listener)
      queue.release(key('p1', 'a'))
      assert.deepEqual(queue.grants().map((g) => g.requestId), ['b'])
      assert.deepEqual(c.positions(), [2, 1])
    })

    it('stop clears every timer and refuses new requests', () => {
      make({ slots: 1, graceMs: 5_000 })
      const a = recorder()
      queue.request(entry('p1', 'a'), a.listener)
      queue.request(entry('p2', 'b'), recorder().listener)
      queue.detach(key('p2', 'b'))
      assert.equal(clock.pending, 3, 'a\'s lease and idle check, b\'s grace')
      queue.stop()
      assert.equal(clock.pending, 0)
      assert.equal(refusal(() => { queue.request(entry('p3', 'c'), recorder().listener) }).refusal, 'SHUTTING_DOWN')
      assert.equal(queue.release(key('p1', 'a')), false)
      assert.deepEqual(queue.stats(), { waiting: 0, granted: 0, slots: 1, avgHoldMs: 0 })
      clock.tick(120_000)
      assert.equal(a.events.length, 1)
    })
  })
})

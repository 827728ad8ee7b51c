import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { QueueRefusedError } from '../../../node/errors.js'
import { RequestQueue, sourceOf } from '../../../tracker/queue/index.js'
import { FakeClock } from '../../fixtures/fake-clock.js'
import { Rng } from '../../fixtures/fuzz.js'
import type { QueueEvent, RequestQueueInit } from '../../../tracker/queue/index.js'

const key = (peerId: string, requestId: string): { peerId: string, requestId: string } => ({ peerId, requestId })

describe('tracker/queue fairness and admission', () => {
  let clock: FakeClock
  let queue: RequestQueue
  const events = new Map<string, QueueEvent[]>()

  function make (init: RequestQueueInit = {}): RequestQueue {
    queue = new RequestQueue({ clock, ...init })
    return queue
  }

  function ask (peerId: string, requestId: string, source?: string): QueueEvent[] {
    const list: QueueEvent[] = []
    events.set(`${peerId}/${requestId}`, list)
    queue.request({ peerId, requestId, cid: 'cid-1', source }, (e) => { list.push(e) })
    return list
  }

  beforeEach(() => { clock = new FakeClock(); events.clear() })
  afterEach(() => { queue?.stop() })

  describe('one grant per peer (default)', () => {
    it('a peer with four request ids holds one slot; its other requests wait without blocking those behind them', () => {
      make({ slots: 4 })
      const hog = ['a', 'b', 'c', 'd'].map(r => ask('hog', r))
      const other = ask('p2', 'x')
      assert.deepEqual(queue.grants().map(g => `${g.peerId}/${g.requestId}`), ['hog/a', 'p2/x'])
      assert.deepEqual(hog.slice(1).map(e => e[e.length - 1]), [1, 2, 3].map(position => ({ type: 'position', position, waiting: position, etaMs: 0 })))
      assert.equal(queue.stats().waiting, 3)
      assert.equal(other[0].type, 'granted')
      // a newcomer behind the hog's waiting requests gets a free slot at once
      const late = ask('p3', 'y')
      assert.equal(late[0].type, 'granted')
      // the hog's grant ends: its next request (the oldest eligible) takes a slot
      queue.release(key('hog', 'a'), true)
      assert.deepEqual(queue.grants().map(g => `${g.peerId}/${g.requestId}`), ['p2/x', 'p3/y', 'hog/b'])
      assert.deepEqual(hog[2].map(e => e.type === 'position' ? e.position : e.type), [2, 1])
      assert.deepEqual(hog[3].map(e => e.type === 'position' ? e.position : e.type), [3, 2])
    })

    it('grants follow arrival order among eligible requests through churn, and positions never go up', () => {
      make({ slots: 3, maxPerPeer: 50 })
      const rng = new Rng(9)
      const random = (): number => rng.next()
      const peers = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']
      const order: string[] = []
      const lastPosition = new Map<string, number>()
      let n = 0
      const arrive = (): void => {
        const peerId = peers[Math.floor(random() * peers.length)]
        const requestId = `r${n++}`
        const id = `${peerId}/${requestId}`
        queue.request({ peerId, requestId, cid: 'c' }, (e) => {
          if (e.type === 'position') {
            assert.ok(e.position <= (lastPosition.get(id) ?? Infinity), `${id} moved back`)
            lastPosition.set(id, e.position)
          }
        })
      }
      for (let step = 0; step < 2000; step++) {
        if (random() < 0.55) arrive()
        else {
          const grants = queue.grants()
          if (grants.length > 0) {
            const g = grants[Math.floor(random() * grants.length)]
            // what must be granted next: the oldest waiting request whose peer has no grant left
            const before = new Set(queue.grants().map(x => x.peerId))
            before.delete(g.peerId)
            const expected = queue.waiting().find(w => !before.has(w.peerId))
            queue.release(g, true)
            const granted = queue.grants().map(x => `${x.peerId}/${x.requestId}`)
            if (expected != null) assert.ok(granted.includes(`${expected.peerId}/${expected.requestId}`), `step ${step}: ${expected.requestId} is next`)
            order.push(g.requestId)
          }
        }
        const active = queue.grants().map(g => g.peerId)
        assert.equal(new Set(active).size, active.length, 'no peer holds two grants')
        if (queue.stats().granted < 3) {
          assert.ok(queue.waiting().every(w => active.includes(w.peerId)), 'no slot stays free while an eligible request waits')
        }
      }
      assert.ok(order.length > 500)
    })
  })

  describe('per source address', () => {
    it('refuses ADDRESS_LIMIT beyond maxPerSource requests from one address, and counts released ones out', () => {
      make({ slots: 1, maxPerSource: 3 })
      for (let i = 0; i < 3; i++) ask(`sybil-${i}`, 'r', '10.0.0.1')
      assert.throws(() => ask('sybil-3', 'r', '10.0.0.1'), (err: Error) => err instanceof QueueRefusedError && err.refusal === 'ADDRESS_LIMIT' && err.retryAfterMs > 0)
      // another address is not affected, and neither are requests without a source
      ask('honest', 'r', '10.0.0.2')
      ask('local', 'r')
      assert.equal(queue.stats().waiting, 4)
      queue.release(key('sybil-1', 'r'))
      ask('sybil-4', 'r', '10.0.0.1')
      assert.equal(queue.stats().waiting, 4)
    })

    it('keys IPv4 by address and IPv6 by /64', () => {
      assert.equal(sourceOf(multiaddr('/ip4/127.0.0.2/tcp/4001')), '127.0.0.2')
      assert.equal(sourceOf(multiaddr('/ip6/2001:db8:0:12::1/tcp/1')), sourceOf(multiaddr('/ip6/2001:0db8:0000:0012:ffff::9/tcp/2')))
      assert.notEqual(sourceOf(multiaddr('/ip6/2001:db8:0:12::1/tcp/1')), sourceOf(multiaddr('/ip6/2001:db8:0:13::1/tcp/1')))
      assert.equal(sourceOf(multiaddr('/ip6/::1/tcp/1')), '0:0:0:0::/64')
      assert.equal(sourceOf(undefined), undefined)
    })
  })

  describe('progress', () => {
    it('a grant that makes no progress loses its slot after idleMs; progress keeps it', () => {
      make({ slots: 1, idleMs: 10_000, leaseMs: 60_000 })
      const a = ask('p1', 'a')
      const b = ask('p2', 'b')
      clock.tick(8_000)
      assert.equal(queue.progress(key('p1', 'a')), true)
      clock.tick(8_000)
      assert.equal(a[a.length - 1].type, 'granted', 'progress 8 s ago: still held')
      clock.tick(2_000)
      assert.deepEqual(a[a.length - 1], { type: 'expired' }, '10 s without progress: the slot is gone')
      assert.equal(b[b.length - 1].type, 'granted')
      assert.equal(queue.progress(key('p1', 'a')), false, 'a lost grant makes no progress')
    })

    it('renewals extend the lease only while the grant made progress within idleMs', () => {
      make({ slots: 1, idleMs: 20_000, leaseMs: 10_000 })
      ask('p1', 'a')
      clock.tick(5_000)
      assert.equal(queue.renew(key('p1', 'a'))?.expiresAt, clock.now() + 10_000, 'a fresh grant is extended (slow start)')
      clock.tick(8_000)
      queue.progress(key('p1', 'a'))
      queue.renew(key('p1', 'a'))
      clock.tick(9_000)
      assert.equal(queue.renew(key('p1', 'a'))?.expiresAt, clock.now() + 10_000, 'progress 9 s ago: extended')
      clock.tick(9_000)
      assert.equal(queue.renew(key('p1', 'a'))?.expiresAt, clock.now() + 10_000, 'progress 18 s ago: extended')
      const last = clock.now() + 10_000
      clock.tick(2_000)
      assert.equal(queue.isGranted(key('p1', 'a')), false, '20 s without progress: gone, although the lease runs on')
      assert.ok(last > clock.now(), 'the lease had not run out')
    })
  })
})

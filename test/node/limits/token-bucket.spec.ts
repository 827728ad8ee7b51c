import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TokenBucket } from '../../../node/limits/index.js'
import { MiB, sha256, sha256File, startSwarm, waitFor, within, EventLog } from '../../fixtures/swarm.js'
import type { Swarm } from '../../fixtures/swarm.js'

/**
 * A hand-driven clock that counts how often the bucket reads it, so a test can wait until
 * the bucket has looked again (instead of sleeping) before asserting nothing moved.
 */
class ManualClock {
  ms = 0
  reads = 0
  readonly now = (): number => { this.reads++; return this.ms }
  advance (ms: number): void { this.ms += ms }
  /** Resolves once the bucket has read the clock `times` more times. */
  async readsMore (times = 3): Promise<void> {
    const target = this.reads + times
    await waitFor(`${times} more clock reads`, () => this.reads >= target, 2000)
  }
}

/** A promise with a flag telling whether it settled, and the order it settled in. */
function track (order: string[], name: string, p: Promise<void>): { settled: () => boolean, promise: Promise<void> } {
  let done = false
  const promise = p.then(() => { done = true; order.push(name) }, (err) => { done = true; order.push(`${name}:rejected`); throw err })
  promise.catch(() => {})
  return { settled: () => done, promise }
}

// 1 byte per µs: the real timers the bucket arms last about a millisecond, while the
// hand-driven clock decides when tokens exist. Steps that must release a waiter overshoot
// by ~1% so floating-point rounding of the refill cannot leave it a hair short.
const RATE = 1_000_000

describe('TokenBucket', function () {
  describe('with a hand-driven clock', function () {
    it('refuses a rate that is not positive', function () {
      assert.throws(() => new TokenBucket({ rate: 0 }), RangeError)
      assert.throws(() => new TokenBucket({ rate: -5 }), RangeError)
    })

    it('lets a burst through at once and then holds the next request until tokens refill', async function () {
      const clock = new ManualClock()
      const bucket = new TokenBucket({ rate: RATE, burst: 1000, now: clock.now })
      const order: string[] = []
      await within('burst', 1000, bucket.acquire(600))
      await within('burst', 1000, bucket.acquire(400))
      const next = track(order, 'next', bucket.acquire(500))
      await clock.readsMore()
      clock.advance(0.4) // 400 tokens < 500
      await clock.readsMore()
      assert.equal(next.settled(), false, 'released before enough tokens refilled')
      clock.advance(0.11)
      await within('next', 2000, next.promise)
    })

    it('serves waiters in arrival order: a big head is not overtaken by small requests', async function () {
      const clock = new ManualClock()
      const bucket = new TokenBucket({ rate: RATE, burst: 1000, now: clock.now })
      const order: string[] = []
      await bucket.acquire(1000) // empty
      const big = track(order, 'big', bucket.acquire(800))
      const small1 = track(order, 'small1', bucket.acquire(100))
      const small2 = track(order, 'small2', bucket.acquire(100))
      clock.advance(0.2) // 200 tokens: enough for both small ones, not for the head
      await clock.readsMore()
      assert.deepEqual(order, [], 'a later, smaller request overtook the head of the queue')
      clock.advance(0.61) // 810: the head, then 10 left
      await within('big', 2000, big.promise)
      await clock.readsMore()
      assert.deepEqual(order, ['big'])
      clock.advance(0.2)
      await within('small ones', 2000, Promise.all([small1.promise, small2.promise]))
      assert.deepEqual(order, ['big', 'small1', 'small2'])
    })

    it('queues a new request behind waiters even when tokens would cover it', async function () {
      const clock = new ManualClock()
      const bucket = new TokenBucket({ rate: RATE, burst: 1000, now: clock.now })
      const order: string[] = []
      await bucket.acquire(1000)
      const head = track(order, 'head', bucket.acquire(900))
      clock.advance(0.5)
      const late = track(order, 'late', bucket.acquire(10))
      await clock.readsMore()
      assert.equal(late.settled(), false, 'a new request jumped the queue')
      clock.advance(0.51)
      await within('both', 2000, Promise.all([head.promise, late.promise]))
      assert.deepEqual(order, ['head', 'late'])
    })

    it('lets a request larger than the burst through once full, then pays the debt off', async function () {
      const clock = new ManualClock()
      const bucket = new TokenBucket({ rate: RATE, burst: 1000, now: clock.now })
      const order: string[] = []
      await within('oversized request on a full bucket', 1000, bucket.acquire(5000)) // tokens: -4000
      const after = track(order, 'after', bucket.acquire(1000))
      clock.advance(4.9) // -4000 + 4900 = 900 < 1000
      await clock.readsMore()
      assert.equal(after.settled(), false, 'the debt of the oversized request was not charged')
      clock.advance(0.11)
      await within('after', 2000, after.promise)
    })

    it('holds an oversized request until the bucket is full, not until it has the whole size', async function () {
      const clock = new ManualClock()
      const bucket = new TokenBucket({ rate: RATE, burst: 1000, now: clock.now })
      const order: string[] = []
      await bucket.acquire(1000)
      const huge = track(order, 'huge', bucket.acquire(10_000))
      clock.advance(0.99)
      await clock.readsMore()
      assert.equal(huge.settled(), false)
      clock.advance(0.02) // full (1000): enough to start, 9000 of debt follow
      await within('huge', 2000, huge.promise)
      const next = track(order, 'next', bucket.acquire(1))
      clock.advance(9)
      await clock.readsMore()
      assert.equal(next.settled(), false, 'debt was not carried')
      clock.advance(0.002)
      await within('next', 2000, next.promise)
    })

    it('rejects an aborted waiter with the signal reason and removes it from the queue', async function () {
      const clock = new ManualClock()
      const bucket = new TokenBucket({ rate: RATE, burst: 1000, now: clock.now })
      const order: string[] = []
      await bucket.acquire(1000)
      const controller = new AbortController()
      const head = track(order, 'head', bucket.acquire(900, controller.signal))
      const second = track(order, 'second', bucket.acquire(300))
      const reason = new Error('gave up')
      controller.abort(reason)
      await assert.rejects(within('head', 1000, head.promise), (err) => err === reason)
      clock.advance(0.31) // enough for the second only: the aborted head must not block it or take tokens
      await within('second after the abort', 2000, second.promise)
      assert.deepEqual(order, ['head:rejected', 'second'])
      // nothing of the aborted 900 was charged: 0 tokens now, 700 more arrive, 700 go
      const third = track(order, 'third', bucket.acquire(700))
      clock.advance(0.71)
      await within('third', 2000, third.promise)
    })

    it('forgets every aborted waiter (a thousand streams that went away leave nothing queued)', async function () {
      const clock = new ManualClock()
      const bucket = new TokenBucket({ rate: RATE, burst: 1000, now: clock.now })
      await bucket.acquire(1000)
      const controllers = Array.from({ length: 1000 }, () => new AbortController())
      const waits = controllers.map(async c => bucket.acquire(500, c.signal))
      const kept = track([], 'kept', bucket.acquire(400))
      assert.equal(bucket.waiting, 1001)
      for (const c of controllers) c.abort(new Error('stream gone'))
      const outcomes = await Promise.allSettled(waits)
      assert.ok(outcomes.every(o => o.status === 'rejected'), 'every aborted wait rejects')
      assert.equal(bucket.waiting, 1, 'only the live waiter is left')
      clock.advance(0.41) // enough for the live one only: the aborted ones took nothing
      await within('the live waiter', 2000, kept.promise)
      assert.equal(bucket.waiting, 0)
    })

    it('rejects at once when the signal is already aborted, taking no tokens', async function () {
      const clock = new ManualClock()
      const bucket = new TokenBucket({ rate: RATE, burst: 1000, now: clock.now })
      await assert.rejects(bucket.acquire(10, AbortSignal.abort()), (err: Error) => err.name === 'AbortError')
      await within('whole burst still there', 1000, bucket.acquire(1000))
    })
  })

  describe('on a real transfer', function () {
    const RATE_LIMIT = 2 * MiB
    const FILE = 8 * MiB
    let swarm: Swarm | undefined

    afterEach(async function () {
      await swarm?.stop()
      swarm = undefined
    })

    it('holds the tracker upload to its rate (never more than 10% above it)', async function () {
      this.timeout(60_000)
      const limiter = new TokenBucket({ rate: RATE_LIMIT })
      swarm = await startSwarm({ label: 'rate', fileSize: FILE, seed: 21, tracker: { limiter } })
      const peer = await swarm.addPeer()
      const log = new EventLog()
      const arrivals: Array<{ at: number, bytes: number }> = []
      const result = await within('download', 30_000, peer.download(swarm.cid, {
        onProgress: (e) => {
          log.onProgress(e)
          if (e.type === 'transfer:piece-verified') arrivals.push({ at: performance.now(), bytes: e.bytes })
        }
      }))
      assert.equal(await sha256File(result.file.dataPath), sha256(swarm.data))
      assert.equal(result.bytesFromTracker, FILE)
      assert.equal(arrivals.reduce((n, a) => n + a.bytes, 0), FILE)
      // the first `burst` bytes leave at once (the first piece among them), the rest at the rate
      const elapsed = (arrivals[arrivals.length - 1].at - arrivals[0].at) / 1000
      const measured = (FILE - limiter.burst) / elapsed
      const error = measured / RATE_LIMIT - 1
      console.log(`      rate: ${(measured / MiB).toFixed(3)} MiB/s over ${elapsed.toFixed(2)} s for a ${RATE_LIMIT / MiB} MiB/s limit (${(error * 100).toFixed(1)}%)`) // eslint-disable-line no-console
      // one-sided: a loaded machine may well be slower than the limit, never faster
      assert.ok(error <= 0.1, `measured ${measured.toFixed(0)} B/s, limit ${RATE_LIMIT} B/s`)
      assert.ok(elapsed >= 2, `the transfer took only ${elapsed} s: too short to measure`)
    })
  })
})

import assert from 'node:assert/strict'
import { MAX_FULL_ROUND_MS, NEAR_ROUND_MS, PositionBoard } from '../../../tracker/protocols/position-board.js'
import { RequestQueue } from '../../../tracker/queue/index.js'
import { FakeClock } from '../../fixtures/fake-clock.js'
import { Rng } from '../../fixtures/fuzz.js'
import type { BoardEntry, ShownPosition } from '../../../tracker/protocols/position-board.js'
import type { QueueEvent } from '../../../tracker/queue/index.js'

/**
 * A real request queue and a board wired the way the queue handler wires them, on a fake
 * clock; chunks of a round run only when the test says, so queue changes land between them.
 */
class Rig {
  readonly clock = new FakeClock()
  readonly queue = new RequestQueue({ slots: 1, maxWaiting: 100_000, clock: this.clock })
  readonly chunks: Array<() => void> = []
  readonly board = new PositionBoard(() => this.queue.waiting(), { clock: this.clock, defer: (fn) => { this.chunks.push(fn) } })
  /** What each request id was shown, in order. */
  readonly shown = new Map<string, ShownPosition[]>()
  readonly entries = new Map<string, BoardEntry>()
  messages = 0

  /** Queues (or re-attaches) request `id` with a fresh "stream" (board entry). */
  request (id: string): void {
    // a new stream: what the peer sees now comes from this stream only
    this.shown.delete(id)
    let entry: BoardEntry | undefined
    const listener = (event: QueueEvent): void => {
      if (event.type === 'position') {
        entry ??= this.board.join({ peerId: `peer-${id}`, requestId: id }, (s) => {
          this.messages++
          const list = this.shownList(id)
          const before = list[list.length - 1]
          assert.ok(before === undefined || s.position <= before.position, `${id} went back from ${before?.position} to ${s.position}`)
          list.push(s)
        })
        this.entries.set(id, entry)
        this.board.update(entry, event.position, event.waiting, event.etaMs)
      } else {
        this.leave(id)
      }
    }
    this.queue.request({ peerId: `peer-${id}`, requestId: id, cid: 'cid-1' }, listener)
  }

  /** The request's stream went away (it keeps its place for the grace period). */
  detach (id: string): void {
    this.queue.detach({ peerId: `peer-${id}`, requestId: id })
    this.leave(id)
  }

  leave (id: string): void {
    const entry = this.entries.get(id)
    if (entry != null) this.board.leave(entry)
    this.entries.delete(id)
  }

  /** The granted request finishes: the next one is granted. */
  finishGrant (): void {
    const grant = this.queue.grants()[0]
    if (grant != null) this.queue.release({ peerId: grant.peerId, requestId: grant.requestId }, true)
  }

  runChunk (): void {
    this.chunks.shift()?.()
  }

  shownList (id: string): ShownPosition[] {
    let list = this.shown.get(id)
    if (list == null) { list = []; this.shown.set(id, list) }
    return list
  }

  current (id: string): number | undefined {
    const list = this.shown.get(id)
    return list?.[list.length - 1]?.position
  }

  /** The rules, checked against the queue's true order (a shown place never goes back: checked as it is shown). */
  check (): void {
    let previous = 0
    this.queue.waiting().forEach((request, index) => {
      if (!this.entries.has(request.requestId)) return // detached: shown nothing now
      const shown = this.current(request.requestId)
      if (shown === undefined) return
      assert.ok(shown >= index + 1, `${request.requestId} is shown ${shown}, ahead of its true place ${index + 1}`)
      assert.ok(shown > previous, `${request.requestId} is shown ${shown}, not past the one ahead of it (${previous})`)
      previous = shown
    })
  }
}

describe('tracker/protocols PositionBoard', () => {
  it('never shows two waiters the same place nor anyone a place ahead of its own, through seeded churn', () => {
    const rig = new Rig()
    const rng = new Rng(0xb0a4d)
    const random = (): number => rng.next()
    let next = 0
    for (let i = 0; i < 600; i++) rig.request(`r${next++}`)
    rig.check()
    const detached: string[] = []
    for (let step = 0; step < 4000; step++) {
      const roll = random()
      if (roll < 0.25) rig.finishGrant()
      else if (roll < 0.45) rig.request(`r${next++}`)
      else if (roll < 0.5) {
        const waiting = rig.queue.waiting()
        const victim = waiting[Math.floor(random() * waiting.length)]
        if (victim != null && rig.entries.has(victim.requestId)) { rig.detach(victim.requestId); detached.push(victim.requestId) }
      } else if (roll < 0.55 && detached.length > 0) {
        rig.request(detached.splice(Math.floor(random() * detached.length), 1)[0]) // back within the grace period
      } else if (roll < 0.8) rig.runChunk()
      else rig.clock.tick(Math.floor(random() * 400))
      rig.check()
    }
    assert.ok(rig.messages > 0)
  })

  it('shows everyone its true place once the queue stands still for a full round', () => {
    const rig = new Rig()
    for (let i = 0; i < 300; i++) rig.request(`r${i}`)
    for (let i = 0; i < 120; i++) rig.finishGrant()
    for (let i = 300; i < 320; i++) rig.request(`r${i}`)
    rig.check()
    // stale places exist now: far-back waiters still show where they were
    const stale = rig.queue.waiting().filter((r, index) => rig.current(r.requestId) !== index + 1)
    assert.ok(stale.length > 0)
    for (let t = 0; t <= MAX_FULL_ROUND_MS + NEAR_ROUND_MS; t += NEAR_ROUND_MS) {
      rig.clock.tick(NEAR_ROUND_MS)
      while (rig.chunks.length > 0) rig.runChunk()
      rig.check()
    }
    rig.queue.waiting().forEach((request, index) => {
      assert.equal(rig.current(request.requestId), index + 1, `${request.requestId}: ${JSON.stringify(rig.shown.get(request.requestId))}`)
    })
    const waiting = rig.queue.stats().waiting
    for (const request of rig.queue.waiting()) assert.equal(rig.shown.get(request.requestId)?.at(-1)?.waiting, waiting)
  })

  it('tells 2,000 waiters about ten grants a second in far fewer messages than one per waiter per grant', () => {
    const rig = new Rig()
    for (let i = 0; i < 2000; i++) rig.request(`r${i}`)
    rig.messages = 0
    const seconds = 30
    for (let ms = 0; ms < seconds * 1000; ms += 100) {
      rig.finishGrant()
      rig.request(`n${ms}`) // the line stays 2,000 long
      rig.clock.tick(100)
      while (rig.chunks.length > 0) rig.runChunk()
    }
    rig.check()
    const perSecond = rig.messages / seconds
    // one message per waiter per grant would be 20,000 a second
    assert.ok(perSecond < 1000, `${perSecond.toFixed(0)} position messages a second`)
  })
})

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RequestQueue } from '../../tracker/queue/index.js'
import { QueueStateFile, QueueStateText } from '../../tracker/queue-state.js'
import { SILENT_LOGGER } from '../../node/quiet-logger.js'
import { FakeClock } from '../fixtures/fake-clock.js'

describe('QueueStateText', () => {
  let home: string
  beforeEach(async () => { home = await mkdtemp(join(tmpdir(), 'mediaswarm-queue-state-')) })
  afterEach(async () => { await rm(home, { recursive: true, force: true }) })

  it('writes what queue.save() holds, in arrival order, and follows the queue as it moves', async () => {
    const queue = new RequestQueue({ slots: 2, clock: new FakeClock(), maxPerSource: 100 })
    for (let i = 0; i < 6; i++) queue.request({ peerId: `p${i}`, requestId: `r${i}`, cid: `c${i % 2}` }, () => {})
    const text = new QueueStateText()
    const tickets = { ab: { peerId: 'p0', requestId: 'r0', cid: 'c0' } }
    const file = new QueueStateFile(home, () => text.text(queue, tickets), SILENT_LOGGER)
    await file.save()
    assert.deepEqual(await file.load(), { version: 1, requests: queue.save(), tickets })
    // a grant ends, the first waiter takes its slot (its cached waiting form must not be reused), one more arrives
    queue.release({ peerId: 'p0', requestId: 'r0' }, true)
    queue.request({ peerId: 'p9', requestId: 'r9', cid: 'c1' }, () => {})
    await file.save()
    const saved = await file.load()
    assert.deepEqual(saved?.requests, queue.save())
    assert.deepEqual(saved?.requests.map(r => r.requestId), ['r1', 'r2', 'r3', 'r4', 'r5', 'r9'])
    assert.equal(typeof saved?.requests.find(r => r.requestId === 'r2')?.expiresAt, 'number')
    queue.stop()
  })
})

describe('QueueStateText in chunks', () => {
  it('stringifies 256 waiting requests per turn, and saves the queue as it was when asked, whatever moves meanwhile', async () => {
    const queue = new RequestQueue({ slots: 1, clock: new FakeClock(), maxPerSource: 10_000, maxWaiting: 10_000 })
    for (let i = 0; i < 600; i++) queue.request({ peerId: `p${i}`, requestId: `r${i}`, cid: 'c' }, () => {})
    const before = queue.save()
    const turns: Array<() => void> = []
    const pending = new QueueStateText((fn) => { turns.push(fn) }).text(queue, {})
    // the line moves between chunks: a grant ends, the next is granted, newcomers join
    queue.release({ peerId: 'p0', requestId: 'r0' }, true)
    queue.request({ peerId: 'late', requestId: 'x', cid: 'c' }, () => {})
    let chunks = 1
    while (turns.length > 0) { await Promise.resolve(); turns.shift()?.(); chunks++; await new Promise(resolve => setImmediate(resolve)) }
    const saved = JSON.parse(await pending)
    assert.equal(chunks, 3)
    assert.deepEqual(saved.requests, before)
    queue.stop()
  })
})

/**
 * withDeadline: the timer is gone as soon as the wait settles (no live timer per request
 * stream), and a wait that never settles is aborted with a TimeoutError.
 */
import assert from 'node:assert/strict'
import { withDeadline } from '../../../node/streams/index.js'

const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

describe('node/streams withDeadline', () => {
  it('clears its timer once the wait settles, resolved or rejected', async function () {
    this.timeout(0) // mocha's own test timer would be counted
    await new Promise((resolve) => setImmediate(resolve)) // mocha arms a timer of its own after the first turn
    let release!: () => void
    const gate = new Promise<void>((resolve) => { release = resolve })
    const before = timeouts()
    const waits = Array.from({ length: 50 }, async (_, i) => await withDeadline(60_000, async () => {
      await gate
      if (i % 2 === 1) throw new Error('bad input')
      return i
    }))
    assert.equal(timeouts(), before + 50, 'one timer per pending wait')
    release()
    const settled = await Promise.allSettled(waits)
    assert.equal(settled.filter((r) => r.status === 'rejected').length, 25)
    assert.equal(timeouts(), before, 'no 60 s timer left behind once they settled')
  })

  it('aborts a wait that never settles with a TimeoutError', async () => {
    const err = await withDeadline(5, async (signal) => await new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) })
    })).catch((e: Error) => e)
    assert.ok(err instanceof Error)
    assert.equal(err.name, 'TimeoutError')
  })
})

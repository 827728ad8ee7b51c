/**
 * Two peers that learn of each other at once would both dial: only the one with the smaller
 * PeerId dials at once; the other waits for that connection, and dials anyway after a grace
 * time (the other side may never dial, or cannot reach it).
 */
import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { yieldDial } from '../../../node/session/dial-tiebreak.js'
import { startHost } from '../../fixtures/hosts.js'
import type { Host } from '../../../node/index.js'

describe('dial tie-break', function () {
  this.timeout(60_000)
  let small: Host
  let large: Host

  beforeEach(async function () {
    const [a, b] = [await startHost(), await startHost()]
    ;[small, large] = a.peerId.toString() < b.peerId.toString() ? [a, b] : [b, a]
  })

  afterEach(async function () {
    await Promise.all([small, large].map(async h => { await h?.stop() }))
  })

  it('the smaller PeerId dials at once', async function () {
    // a grace this long would time the test out if it were waited for
    await yieldDial(small, large.peerId, AbortSignal.timeout(120_000), 120_000)
    assert.equal(small.getConnections(large.peerId).length, 0, 'yielding opens nothing itself')
  })

  it('the larger one waits for the connection the smaller one opens, and then reuses it', async function () {
    const waiting = yieldDial(large, small.peerId, AbortSignal.timeout(120_000), 120_000)
    await small.dial(large.getMultiaddrs()[0])
    await waiting
    const conn = await large.dial(small.getMultiaddrs())
    assert.equal(conn.direction, 'inbound', 'the connection the smaller peer dialled is reused')
    assert.equal(large.getConnections(small.peerId).length, 1)
    assert.equal(small.getConnections(large.peerId).length, 1)
  })

  it('the larger one dials itself once the grace time is over (the other may be unreachable)', async function () {
    await yieldDial(large, small.peerId, AbortSignal.timeout(120_000), 50)
    assert.equal(large.getConnections(small.peerId).length, 0)
    const conn = await large.dial(small.getMultiaddrs())
    assert.equal(conn.direction, 'outbound')
  })

  it('the larger one stops waiting when its signal aborts', async function () {
    const controller = new AbortController()
    const waiting = yieldDial(large, small.peerId, controller.signal, 120_000)
    controller.abort()
    await waiting
  })
})

import assert from 'node:assert/strict'
import { PieceBuffers } from '../../../../node/protocols/transfer/piece-buffers.js'

describe('PieceBuffers', function () {
  it('reuses a handed-over buffer only once the transport says it let go', function () {
    let released = false
    const buffers = new PieceBuffers(1024, () => released)
    const a = buffers.take()
    buffers.handedOver(a.subarray(0, 100)) // a short last piece: a view of the buffer
    const b = buffers.take()
    assert.notEqual(b.buffer, a.buffer, 'not reused while the transport may still hold it')
    buffers.handedOver(b)
    released = true
    const c = buffers.take()
    const d = buffers.take()
    assert.deepEqual(new Set([c.buffer, d.buffer]), new Set([a.buffer, b.buffer]))
    assert.equal(c.byteLength, 1024, 'the whole buffer comes back, not the view that was sent')
    assert.equal(d.byteLength, 1024)
  })

  it('keeps at most max pooled buffers; beyond them fresh ones that are never reused', function () {
    const buffers = new PieceBuffers(64, () => true, 2)
    const taken = [buffers.take(), buffers.take(), buffers.take()]
    assert.equal(buffers.pooled, 2)
    for (const t of taken) buffers.handedOver(t)
    const again = [buffers.take(), buffers.take(), buffers.take()]
    assert.equal(again.filter(t => t.buffer === taken[2].buffer).length, 0, 'an unpooled buffer is left to the collector')
    assert.equal(again.filter(t => t.buffer === taken[0].buffer || t.buffer === taken[1].buffer).length, 2)
  })

  it('gives back an unsent buffer at once, and never reuses an abandoned one', function () {
    const buffers = new PieceBuffers(64, () => false)
    const a = buffers.take()
    buffers.giveBack(a)
    assert.equal(buffers.take().buffer, a.buffer)
    buffers.abandon(a) // a read into it may still be in flight
    buffers.giveBack(a)
    buffers.handedOver(a)
    assert.notEqual(buffers.take().buffer, a.buffer)
    assert.equal(buffers.pooled, 1)
  })
})

import assert from 'node:assert/strict'
import { PieceBatch } from '../../../node/daemon/piece-batch.js'
import { PIECE_INTERVAL_RANGE_MS, pieceIntervalOf } from '../../../node/daemon/protocol.js'
import { waitFor } from '../../fixtures/network.js'
import type { ControlEvent } from '../../../node/daemon/protocol.js'

type PieceEvent = Extract<ControlEvent, { type: 'piece' }>

describe('node/daemon/piece-batch: verified pieces told to a control client at most once per interval', function () {
  it('sends the first piece at once and sums the next ones into one event at flush', function () {
    const sent: PieceEvent[] = []
    const batch = new PieceBatch((e) => sent.push({ ...e }), 60_000)
    batch.add(100, true, 1, 10, 1000)
    assert.deepEqual(sent, [{ type: 'piece', bytes: 100, peerBytes: 100, fromPeer: true, providers: 1, uploadBytes: 10 }])
    batch.add(200, false, 2, 20, 1001)
    batch.add(300, true, 3, 30, 1002)
    batch.add(400, false, 3, 40, 1003)
    assert.equal(sent.length, 1, 'pieces within the interval wait')
    batch.flush(1004)
    assert.deepEqual(sent[1], { type: 'piece', bytes: 900, peerBytes: 300, fromPeer: false, providers: 3, uploadBytes: 40 })
    batch.flush(1005)
    assert.equal(sent.length, 2, 'nothing pending: flush sends nothing')
    batch.close()
  })

  it('sends a pending sum when the interval ends, and nothing after close', async function () {
    const sent: PieceEvent[] = []
    const batch = new PieceBatch((e) => sent.push({ ...e }), 20)
    batch.add(1, false, 1, 0)
    batch.add(2, true, 1, 0)
    await waitFor('the pending piece to be sent when the interval ends', () => sent.length === 2)
    assert.equal(sent[1].bytes, 2)
    assert.equal(sent[1].peerBytes, 2)
    batch.add(4, true, 1, 0)
    batch.add(8, true, 1, 0)
    batch.close()
    await new Promise(resolve => setTimeout(resolve, 60))
    const after = sent.length
    assert.ok(after === 2 || (after === 3 && sent[2].bytes === 4), `close drops what is pending (sent ${JSON.stringify(sent.slice(2))})`)
  })

  it('a client\'s pieceIntervalMs is clamped to 100 ms - 10 s; anything else gets the default', function () {
    assert.equal(pieceIntervalOf(undefined), PIECE_INTERVAL_RANGE_MS.default)
    assert.equal(pieceIntervalOf('1000'), PIECE_INTERVAL_RANGE_MS.default)
    assert.equal(pieceIntervalOf(Number.NaN), PIECE_INTERVAL_RANGE_MS.default)
    assert.equal(pieceIntervalOf(0), 100)
    assert.equal(pieceIntervalOf(-5), 100)
    assert.equal(pieceIntervalOf(2500.4), 2500)
    assert.equal(pieceIntervalOf(1e9), 10_000)
    assert.equal(pieceIntervalOf(Infinity), PIECE_INTERVAL_RANGE_MS.default)
  })
})

/**
 * Read buffers reused by a serving stream (PieceBuffers with the TLS write-release probe):
 * a downloader that reads slowly, so that sent pieces queue below the stream, still gets
 * every piece byte for byte, while the server reads nearly every piece into a buffer it
 * used before.
 */
import '../../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { MAX_TRANSFER_FRAME_BYTES, TransferResponse, readMessage } from '../../../../node/index.js'
import { pseudoRandomBytes } from '../../../fixtures/hosts.js'
import { sleep } from '../../../fixtures/fuzz.js'
import { startTransferRig } from '../../../fixtures/transfer-rig.js'
import type { TransferRig } from '../../../fixtures/transfer-rig.js'

const PIECE = 64 * 1024
const PIECES = 40

describe('TransferServer read buffers', function () {
  this.timeout(60_000)
  let rig: TransferRig | undefined

  afterEach(async function () {
    await rig?.stop()
    rig = undefined
  })

  it('reuses read buffers over TLS and every piece arrives intact to a slow reader', async function () {
    const size = PIECES * PIECE - 1000 // a short last piece
    const content = pseudoRandomBytes(size, 7)
    rig = await startTransferRig({ label: 'serve-buffers', size, pieceSize: PIECE, content, readInto: true })
    const d = await rig.open(await rig.ticket(), Array.from({ length: PIECES }, (_, i) => i))
    const seen = new Set<number>()
    while (seen.size < PIECES) {
      const signal = AbortSignal.timeout(20_000)
      const msg = await readMessage(d.reader, TransferResponse, MAX_TRANSFER_FRAME_BYTES, signal)
      assert.ok(msg != null, 'the stream ended early')
      if (msg.type !== TransferResponse.Type.PIECE) continue
      const data = (await d.reader.readExactlyList(msg.length, signal)).subarray()
      const expected = content.subarray(msg.index * PIECE, Math.min(size, (msg.index + 1) * PIECE))
      assert.ok(Buffer.from(data).equals(expected), `piece ${msg.index} arrived intact`)
      seen.add(msg.index)
      // every few pieces the reader stalls: what the server sent piles up below its stream
      if (seen.size % 8 === 0) await sleep(150)
    }
    const distinct = new Set(rig.intoBuffers.map(b => b.buffer)).size
    assert.equal(rig.intoBuffers.length, PIECES)
    assert.ok(distinct <= PIECES / 4, `${distinct} buffers for ${PIECES} pieces: reused`)
    await d.send({ want: [] })
    await d.stream.close()
  })
})

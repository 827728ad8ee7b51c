/**
 * A partial seed tells its downloaders about each new piece at once: a HAVE never waits
 * behind the upload limiter or a piece being sent.
 */
import '../../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TokenBucket, TransferResponse } from '../../../../node/index.js'
import { waitFor } from '../../../fixtures/network.js'
import { startTransferRig } from '../../../fixtures/transfer-rig.js'
import type { Downloader, TransferRig } from '../../../fixtures/transfer-rig.js'

const { BITFIELD, HAVE, PIECE } = TransferResponse.Type

/** The pieces a HAVE announces: several (`haves`) or one (`index`). */
function announced (msg: TransferResponse | undefined): number[] {
  assert.equal(msg?.type, HAVE)
  return msg.haves.length > 0 ? msg.haves : [msg.index]
}

/** Reads HAVEs until `count` pieces were announced; returns them in order. */
async function readHaves (d: Downloader, count: number): Promise<number[]> {
  const pieces: number[] = []
  while (pieces.length < count) pieces.push(...announced(await d.next()))
  return pieces
}

describe('TransferServer HAVEs', function () {
  this.timeout(60_000)
  let rig: TransferRig

  afterEach(async function () {
    await rig?.stop()
  })

  it('go out at once while a piece waits for the upload limiter', async function () {
    // one piece now, the next in about 30 minutes
    const limiter = new TokenBucket({ rate: 128, burst: 256 * 1024 })
    rig = await startTransferRig({ label: 'haves', size: 2 * 1024 * 1024, pieceSize: 256 * 1024, held: [0, 1, 2], server: { limiter } })
    const d = await rig.open(await rig.ticket(), [0, 1])
    const first = await d.next()
    assert.equal(first?.type, BITFIELD)
    assert.deepEqual([...first.bitfield], [0b11100000])
    assert.equal((await d.next())?.type, PIECE)
    await waitFor('piece 1 to wait for the limiter', () => limiter.waiting === 1)
    rig.addPiece(5)
    rig.addPiece(6)
    assert.deepEqual(await readHaves(d, 2), [5, 6])
    assert.equal(limiter.waiting, 1, 'piece 1 still waits')
  })

  it('lose no piece that arrives around the time the stream starts: bitfield or HAVE', async function () {
    rig = await startTransferRig({ label: 'early-haves', size: 2 * 1024 * 1024, pieceSize: 256 * 1024, held: [0] })
    const d = await rig.open(await rig.ticket())
    // pieces keep arriving while the server reads the hello and sends the bitfield
    for (let i = 1; i < 8; i++) rig.addPiece(i)
    const first = await d.next()
    assert.equal(first?.type, BITFIELD)
    const known = new Set<number>()
    for (let i = 0; i < 8; i++) if ((first.bitfield[0] & (0x80 >> i)) !== 0) known.add(i)
    while (known.size < 8) {
      for (const i of announced(await d.next())) known.add(i)
    }
  })

  it('skip the pieces a downloader is known to hold, and only for that downloader', async function () {
    let knowing = ''
    // this node's own download learned (from the client's bitfield or HAVEs) that the client holds 5
    rig = await startTransferRig({ label: 'known-haves', size: 2 * 1024 * 1024, pieceSize: 256 * 1024, held: [0], knownHeldBy: (peer, index) => peer === knowing && index === 5 })
    knowing = rig.client.peerId.toString()
    const other = await rig.newClient()
    const d = await rig.open(await rig.ticket())
    const e = await rig.open(await rig.ticket({ holder: other }), [], other)
    assert.equal((await d.next())?.type, BITFIELD)
    assert.equal((await e.next())?.type, BITFIELD)
    rig.addPiece(5)
    rig.addPiece(6)
    assert.deepEqual(await readHaves(e, 2), [5, 6])
    assert.deepEqual(announced(await d.next()), [6], 'no HAVE 5 for the peer that holds it')
  })

  it('of the same event-loop turn go out as one message; a lone one in the single form', async function () {
    rig = await startTransferRig({ label: 'batched-haves', size: 4 * 1024 * 1024, pieceSize: 256 * 1024, held: [0] })
    const d = await rig.open(await rig.ticket())
    assert.equal((await d.next())?.type, BITFIELD)
    for (const i of [3, 4, 7]) rig.addPiece(i)
    const batch = await d.next()
    assert.deepEqual([batch?.type, batch?.haves], [HAVE, [3, 4, 7]])
    // the batch was flushed (it arrived): a piece now is alone in its turn
    rig.addPiece(9)
    const single = await d.next()
    assert.deepEqual([single?.type, single?.index, single?.haves], [HAVE, 9, []])
  })
})

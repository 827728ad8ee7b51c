/**
 * The transfer server's memory under floods from hostile downloaders: want-then-cancel on
 * one stream, and many streams opened and dropped. A real server on a real host serves a
 * real (sparse) file; memory is sampled after full collections, with generous bounds.
 */
import '../../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TransferResponse } from '../../../../node/index.js'
import { collectGarbage, sleep } from '../../../fixtures/fuzz.js'
import { waitFor } from '../../../fixtures/network.js'
import { startTransferRig } from '../../../fixtures/transfer-rig.js'
import type { Host, Ticket, UploadLimiter } from '../../../../node/index.js'
import type { TransferRig } from '../../../fixtures/transfer-rig.js'

const MiB = 1024 * 1024
const { BITFIELD, PIECE } = TransferResponse.Type

/** Heap plus buffers outside it (piece reads are buffers), after two full collections. */
async function memory (): Promise<number> {
  await sleep(100)
  assert.ok(collectGarbage(), 'a full collection can be forced')
  await new Promise(resolve => setImmediate(resolve))
  collectGarbage()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

/**
 * A limiter that parks the first request after `hold()` until `release()`, and lets every
 * other one through: the test decides when the piece being sent leaves.
 */
class GateLimiter implements UploadLimiter {
  #hold = false
  #parked?: () => void
  holdNext (): void { this.#hold = true }
  get parked (): boolean { return this.#parked != null }
  release (): void {
    const p = this.#parked
    this.#parked = undefined
    p?.()
  }

  async acquire (_bytes: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    if (!this.#hold) return
    this.#hold = false
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { this.#parked = undefined; reject(signal?.reason) }
      this.#parked = () => { signal?.removeEventListener('abort', onAbort); resolve() }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}

describe('TransferServer memory under floods', function () {
  this.timeout(120_000)
  let rig: TransferRig | undefined

  afterEach(async function () {
    await rig?.stop()
    rig = undefined
  })

  it('want-then-cancel, round after round on one stream, leaves memory flat (a cancel frees the read-ahead piece)', async function () {
    const ROUNDS = 24
    const PIECE_SIZE = 2 * MiB
    const limiter = new GateLimiter()
    // the liveness hook tells when the server took a renewed ticket, and so the cancel sent with it
    const seen = new Set<string>()
    const key = (t: Ticket): string => Buffer.from(t.ticketId).toString('hex')
    rig = await startTransferRig({
      label: 'want-cancel',
      size: 2 * ROUNDS * PIECE_SIZE,
      pieceSize: PIECE_SIZE,
      server: { limiter, isTicketLive: (t) => { seen.add(key(t)); return true } }
    })
    const d = await rig.open(await rig.ticket())
    assert.equal((await d.next())?.type, BITFIELD)
    let late = 0
    let baseline = 0
    for (let r = 0; r < ROUNDS; r++) {
      if (r === 2) baseline = await memory()
      const [a, b] = [2 * r, 2 * r + 1]
      limiter.holdNext()
      await d.send({ want: [a, b] })
      // piece a was read, b is being read ahead, a waits to leave
      await waitFor(`round ${r}: piece ${a} waits for the limiter`, () => limiter.parked && rig?.reads.includes(b))
      // the cancel rides with a renewed ticket: once the server checked that ticket, it has
      // taken the cancel too (same message), before a leaves
      const renewed = await rig.ticket()
      await d.send({ ticket: renewed.bytes, cancel: [b] })
      await waitFor(`round ${r}: the server to take the cancel`, () => seen.has(key(renewed)))
      limiter.release()
      for (;;) {
        const msg = await d.next()
        assert.equal(msg?.type, PIECE)
        if (msg.index === a) break
        late++ // a previous round's b: it was sent although cancelled
      }
    }
    const after = await memory()
    const growth = (after - baseline) / MiB
    console.log(`      want/cancel: ${ROUNDS} rounds of ${PIECE_SIZE / MiB} MiB pieces, memory ${(baseline / MiB).toFixed(1)} -> ${(after / MiB).toFixed(1)} MiB`) // eslint-disable-line no-console
    assert.equal(late, 0, 'every cancelled piece stayed unsent')
    // every cancelled read-ahead kept would be 2 MiB: 44 MiB over 22 rounds
    assert.ok(growth < 16, `memory grew by ${growth.toFixed(1)} MiB over ${ROUNDS - 2} rounds of want/cancel`)
  })

  it('a flood of streams opened and dropped at every stage leaves memory flat and every slot free', async function () {
    rig = await startTransferRig({ label: 'stream-flood', size: 4 * MiB, pieceSize: 64 * 1024, server: { maxStreamsPerPeer: 4 } })
    const r = rig
    const clients: Host[] = [r.client, await r.newClient(), await r.newClient()]
    const WAVES = 30
    let refused = 0
    let baseline = 0
    for (let wave = 0; wave < WAVES; wave++) {
      if (wave === 3) baseline = await memory()
      await Promise.all(clients.flatMap((client, c) => Array.from({ length: 6 }, async (_, i) => {
        // six streams per peer and wave: more than its limit of four
        const d = await r.open(await r.ticket({ holder: client }), [(wave + i) % r.pieceCount, (wave + i + 1) % r.pieceCount, (wave + i + 2) % r.pieceCount], client)
        const stage = (wave + c + i) % 3
        try {
          if (stage > 0) {
            const first = await d.next()
            if (first?.type !== BITFIELD) { refused++; return }
          }
          if (stage > 1) await d.next()
        } finally {
          d.stream.abort(new Error('the downloader went away'))
        }
      })))
    }
    await waitFor('every slot free', () => r.server.serving === 0)
    const after = await memory()
    const growth = (after - baseline) / MiB
    console.log(`      stream flood: ${WAVES * 18} streams, ${refused} refused, memory ${(baseline / MiB).toFixed(1)} -> ${(after / MiB).toFixed(1)} MiB`) // eslint-disable-line no-console
    assert.ok(refused > 0, 'the per-peer limit refused some streams')
    assert.ok(growth < 16, `memory grew by ${growth.toFixed(1)} MiB over ${WAVES - 3} waves of streams`)
  })
})

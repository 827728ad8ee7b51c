import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { PieceHasher } from '../../../node/session/piece-hasher.js'
import { pseudoRandomBytes } from '../../fixtures/hosts.js'
import type { Manifest } from '../../../node/index.js'

const PIECE = 64 * 1024

/** A manifest of `data` in 64 KiB pieces, and the data as the chunks it "arrived" in. */
function fixture (): { manifest: Manifest, data: Uint8Array } {
  const data = pseudoRandomBytes(3 * PIECE + 100, 21)
  const hashes: Buffer[] = []
  for (let at = 0; at < data.byteLength; at += PIECE) hashes.push(createHash('sha256').update(data.subarray(at, at + PIECE)).digest())
  return { manifest: { size: data.byteLength, pieceSize: PIECE, pieceHashes: Buffer.concat(hashes) } as unknown as Manifest, data }
}

function chunked (bytes: Uint8Array, size: number): Uint8Array[] & { byteLength: number } {
  const out: Uint8Array[] = []
  for (let at = 0; at < bytes.byteLength; at += size) out.push(bytes.subarray(at, at + size))
  return Object.assign(out, { byteLength: bytes.byteLength })
}

function bytesOf (data: Uint8Array | Iterable<Uint8Array>): Buffer {
  return data instanceof Uint8Array ? Buffer.from(data) : Buffer.concat([...data])
}

describe('session: piece hasher', function () {
  for (const offload of [true, false]) {
    describe(offload ? 'hashing in the thread pool' : 'hashing on the loop', function () {
      it('accepts good pieces (several chunks, one chunk, the short last piece) with their bytes intact, and refuses bad ones', async function () {
        const { manifest, data } = fixture()
        const hasher = new PieceHasher(manifest, offload)
        for (let i = 0; i < 4; i++) {
          const piece = data.subarray(i * PIECE, (i + 1) * PIECE)
          const ok = await hasher.verify(i, chunked(piece, 10_000))
          assert.ok(ok != null, `piece ${i} in chunks`)
          assert.deepEqual(bytesOf(ok.bytes), Buffer.from(piece))
          hasher.release(ok)
          assert.ok(await hasher.verify(i, chunked(piece, PIECE)) != null, `piece ${i} in one chunk`)
        }
        const bad = Buffer.from(data.subarray(0, PIECE))
        bad[100] ^= 1
        assert.equal(await hasher.verify(0, chunked(bad, 10_000)), undefined)
        assert.equal(await hasher.verify(1, chunked(data.subarray(0, PIECE), 10_000)), undefined, 'piece 0 offered as piece 1')
        assert.equal(await hasher.verify(3, chunked(data.subarray(0, PIECE), 10_000)), undefined, 'wrong length')
        assert.equal(await hasher.verify(9, chunked(data.subarray(0, 100), 50)), undefined, 'no such piece')
      })
    })
  }

  it('reuses a released buffer for the next piece', async function () {
    const { manifest, data } = fixture()
    const hasher = new PieceHasher(manifest, true)
    const first = await hasher.verify(0, chunked(data.subarray(0, PIECE), 1000))
    assert.ok(first?.pooled != null)
    hasher.release(first)
    const second = await hasher.verify(1, chunked(data.subarray(PIECE, 2 * PIECE), 1000))
    assert.equal(second?.pooled, first.pooled, 'a new buffer was allocated')
  })
})

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Manifest } from '../../../node/manifest/pb/manifest.js'
import {
  decodeManifest, hashFile, MIN_PIECE_SIZE, pieceCountOf, pieceLength, pieceSizeFor, TARGET_MAX_PIECES, verifyPiece
} from '../../../node/manifest/index.js'
import { pseudoRandomBytes } from '../../fixtures/hosts.js'

describe('manifest', function () {
  let dir: string

  before(async function () { dir = await mkdtemp(join(tmpdir(), 'ms-manifest-')) })
  after(async function () { await rm(dir, { recursive: true, force: true }) })

  it('chooses 256 KiB pieces, doubling until at most 4096 pieces', function () {
    assert.equal(pieceSizeFor(0), MIN_PIECE_SIZE)
    assert.equal(pieceSizeFor(1024 ** 3), MIN_PIECE_SIZE) // 1 GiB = 4096 pieces exactly
    assert.equal(pieceSizeFor(1024 ** 3 + 1), 2 * MIN_PIECE_SIZE)
    for (const size of [5e9, 4e10]) {
      assert.ok(Math.ceil(size / pieceSizeFor(size)) <= TARGET_MAX_PIECES)
    }
  })

  it('hashes a file into pieces whose hashes check, with a cid over the encoding', async function () {
    const data = pseudoRandomBytes(3 * MIN_PIECE_SIZE + 1000, 9)
    const path = join(dir, 'a.bin')
    await writeFile(path, data)
    const info = await hashFile(path)
    assert.equal(info.manifest.size, data.byteLength)
    assert.equal(info.pieceCount, 4)
    assert.equal(pieceLength(info.manifest, 3), 1000)
    for (let i = 0; i < 4; i++) {
      const piece = data.subarray(i * MIN_PIECE_SIZE, i * MIN_PIECE_SIZE + pieceLength(info.manifest, i))
      assert.equal(verifyPiece(info.manifest, i, piece), true)
    }
    const corrupted = Buffer.from(data.subarray(0, MIN_PIECE_SIZE))
    corrupted[100] ^= 1
    assert.equal(verifyPiece(info.manifest, 0, corrupted), false)
    assert.equal(verifyPiece(info.manifest, 3, data.subarray(0, 999)), false) // wrong length
    assert.equal(verifyPiece(info.manifest, 4, data.subarray(0, 10)), false) // no such piece
    // cid = sha-256 of the encoding
    const digest = createHash('sha256').update(info.bytes).digest()
    assert.deepEqual(Buffer.from(info.cid.multihash.digest), digest)
    // same content, same cid
    await writeFile(join(dir, 'b.bin'), data)
    assert.equal((await hashFile(join(dir, 'b.bin'))).cid.toString(), info.cid.toString())
  })

  it('handles an empty file', async function () {
    await writeFile(join(dir, 'empty'), '')
    const info = await hashFile(join(dir, 'empty'))
    assert.equal(info.pieceCount, 0)
    assert.equal(decodeManifest(info.bytes, info.cid).pieceCount, 0)
  })

  it('decodes only manifests that match the cid and are consistent', async function () {
    const path = join(dir, 'c.bin')
    await writeFile(path, pseudoRandomBytes(MIN_PIECE_SIZE * 2, 4))
    const info = await hashFile(path)
    assert.equal(decodeManifest(info.bytes, info.cid).cid.toString(), info.cid.toString())
    const other = await hashFile(join(dir, 'a.bin'))
    assert.throws(() => decodeManifest(info.bytes, other.cid), { name: 'InvalidManifestError' })
    const bad = Manifest.encode({ ...info.manifest, size: info.manifest.size * 2 })
    assert.throws(() => decodeManifest(bad), { name: 'InvalidManifestError' })
    const badPiece = Manifest.encode({ ...info.manifest, pieceSize: 1000 })
    assert.throws(() => decodeManifest(badPiece), { name: 'InvalidManifestError' })
    assert.throws(() => decodeManifest(Uint8Array.from([0xff, 0xff])), { name: 'InvalidManifestError' })
    assert.equal(pieceCountOf(info.manifest), 2)
  })
})

import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { readFile, readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { PieceStore, exportFile, hashFile, pieceLength, pieceOffset } from '../../../node/index.js'
import { pseudoRandomBytes } from '../../fixtures/hosts.js'
import { mountTmpfs, unmount } from '../../fixtures/mounts.js'
import { KiB, MiB, removeDir, sha256, sha256File, tempDir } from '../../fixtures/network.js'
import { zeroPieces } from '../../fixtures/stored-on-disk.js'
import type { ManifestInfo } from '../../../node/index.js'

const PIECE = 16 * KiB

/** The location record of the stored file, as JSON. */
async function locationOf (store: PieceStore, info: ManifestInfo): Promise<{ path: string, target?: string }> {
  return JSON.parse(await readFile(join(store.dir, info.cid.toString(), 'location'), 'utf8'))
}

describe('node/store: downloads in place', function () {
  let root: string
  let info: ManifestInfo
  const data = pseudoRandomBytes(20 * PIECE + 321, 71)
  const stores: PieceStore[] = []

  function piece (i: number): Uint8Array {
    const start = pieceOffset(info.manifest, i)
    return data.subarray(start, start + pieceLength(info.manifest, i))
  }

  /** A store over the same home, as a new process would open it. */
  function newStore (): PieceStore {
    const store = new PieceStore({ dir: join(root, 'store'), logger: defaultLogger() })
    stores.push(store)
    return store
  }

  beforeEach(async function () {
    root = await tempDir('in-place')
    await writeFile(join(root, 'source'), data)
    info = await hashFile(join(root, 'source'), { pieceSize: PIECE })
  })

  afterEach(async function () {
    for (const s of stores.splice(0)) await s.close().catch(() => {})
    await removeDir(root)
  })

  it('a download resumed after a crash continues in the same temporary file; the export hashes only what the crashed run wrote', async function () {
    const dest = join(root, 'out', 'film.bin')
    const first = await newStore().open(info, { saveAs: dest })
    for (let i = 0; i < 6; i++) await first.writePiece(i, piece(i))
    await first.flush()
    for (let i = 6; i < 12; i++) await first.writePiece(i, piece(i))
    await first.flush()
    const temp = first.dataPath
    // the crashed run's piece 3 (not of its last persist) did not survive: it is not hashed
    // on open (only the last persist's pieces are), so the export must catch it
    await zeroPieces(temp, info, [3])
    // crash: never closed. A later run opens the same home for the same destination
    const file = await newStore().open(info, { saveAs: dest })
    assert.equal(file.dataPath, temp, 'the same temporary file')
    assert.equal(file.bitfield.count, 12, 'with what was persisted')
    for (let i = 12; i < info.pieceCount; i++) await file.writePiece(i, piece(i))
    const asked: number[][] = []
    const result = await exportFile(file, dest, {
      refetch: async (pieces) => { asked.push(pieces); for (const i of pieces) await file.writePiece(i, piece(i)) }
    })
    assert.deepEqual(result, { refetched: 1, inPlace: true })
    assert.deepEqual(asked, [[3]])
    assert.equal(await sha256File(dest), sha256(data))
    assert.deepEqual(await readdir(join(root, 'out')), ['film.bin'])
    const placed = await locationOf(stores[1], info)
    assert.equal(placed.path, dest, 'the store now points at the destination')
    assert.equal(placed.target, undefined)
  })

  it('a crash between the rename and its record: the next open adopts the file at its destination', async function () {
    const dest = join(root, 'out', 'film.bin')
    const first = await newStore().open(info, { saveAs: dest })
    for (let i = 0; i < info.pieceCount; i++) await first.writePiece(i, piece(i))
    await first.flush()
    await rename(first.dataPath, dest) // the rename happened; the record still names the temporary file
    assert.ok((await locationOf(stores[0], info)).target === dest)
    const file = await newStore().open(info)
    assert.equal(file.placed, true)
    assert.equal(file.dataPath, dest)
    assert.equal(file.complete, true)
    assert.ok(Buffer.from(await file.readPiece(7)).equals(piece(7)), 'and serves from it (verified on first read)')
    assert.equal((await locationOf(stores[1], info)).path, dest, 'the record is fixed')
  })

  it('exported to another file system than its temporary file: copied, not renamed', async function () {
    const other = join(root, 'other-disk')
    await mountTmpfs(other, 4 * MiB)
    try {
      const dest = join(root, 'out', 'film.bin')
      const file = await newStore().open(info, { saveAs: dest })
      for (let i = 0; i < info.pieceCount; i++) await file.writePiece(i, piece(i))
      const result = await exportFile(file, join(other, 'film.bin'))
      assert.deepEqual(result, { refetched: 0, inPlace: false })
      assert.equal(await sha256File(join(other, 'film.bin')), sha256(data))
      assert.deepEqual(await readdir(other), ['film.bin'], 'no temporary file on the other disk')
    } finally {
      for (const s of stores.splice(0)) await s.close().catch(() => {})
      await unmount(other)
    }
  })

  it('exported under another name on the same file system: renamed there', async function () {
    const dest = join(root, 'out', 'film.bin')
    const file = await newStore().open(info, { saveAs: dest })
    for (let i = 0; i < info.pieceCount; i++) await file.writePiece(i, piece(i))
    const elsewhere = join(root, 'elsewhere', 'renamed.bin')
    assert.deepEqual(await exportFile(file, elsewhere), { refetched: 0, inPlace: true })
    assert.equal(file.dataPath, elsewhere)
    assert.deepEqual(await readdir(join(root, 'out')), [], 'the temporary file moved')
    assert.equal(await sha256File(elsewhere), sha256(data))
  })
})

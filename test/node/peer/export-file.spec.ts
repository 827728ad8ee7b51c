import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { PieceStore, exportFile, hashFile, pieceLength, pieceOffset } from '../../../node/index.js'
import { pseudoRandomBytes } from '../../fixtures/hosts.js'
import { KiB, removeDir, sha256, sha256File, tempDir } from '../../fixtures/network.js'
import { zeroPieces } from '../../fixtures/stored-on-disk.js'
import { LONGEST_NAMES } from '../../fixtures/long-names.js'
import type { ManifestInfo, StoredFile } from '../../../node/index.js'

const PIECE = 16 * KiB

describe('node/peer/export-file: verified, atomic, self-repairing export', function () {
  let root: string
  let info: ManifestInfo
  let store: PieceStore
  let file: StoredFile
  const data = pseudoRandomBytes(12 * PIECE + 999, 51)

  function piece (i: number): Uint8Array {
    const start = pieceOffset(info.manifest, i)
    return data.subarray(start, start + pieceLength(info.manifest, i))
  }

  beforeEach(async function () {
    root = await tempDir('export-file')
    await writeFile(join(root, 'source'), data)
    info = await hashFile(join(root, 'source'), { pieceSize: PIECE })
    store = new PieceStore({ dir: join(root, 'store'), logger: defaultLogger() })
    file = await store.open(info)
    for (let i = 0; i < info.pieceCount; i++) await file.writePiece(i, piece(i))
  })

  /** A new process opens the store: nothing is verified in it yet. */
  async function reopen (): Promise<void> {
    await store.close()
    store = new PieceStore({ dir: join(root, 'store'), logger: defaultLogger() })
    file = await store.open(info)
  }

  afterEach(async function () {
    await store.close()
    await removeDir(root)
  })

  it('exports under 255-byte names (ASCII, multi-byte), leaving no temporary file', async function () {
    const out = join(root, 'out')
    for (const name of LONGEST_NAMES) {
      assert.deepEqual(await exportFile(file, join(out, name)), { refetched: 0, inPlace: false })
      assert.equal(await sha256File(join(out, name)), sha256(data), name)
    }
    assert.deepEqual((await readdir(out)).sort(), [...LONGEST_NAMES].sort())
  })

  it('finds every damaged piece in one pass, drops them, re-fetches them once and patches the copy', async function () {
    await reopen()
    await zeroPieces(file.dataPath, info, [0, 5, 6, info.pieceCount - 1])
    const asked: number[][] = []
    const dropped: number[][] = []
    file.onPieceDropped(d => { dropped.push(d) })
    const out = join(root, 'out', 'film.bin')
    const result = await exportFile(file, out, {
      // stands in for a download: fetches exactly what is missing
      refetch: async (pieces) => {
        asked.push(pieces)
        for (let i = 0; i < info.pieceCount; i++) if (!file.has(i)) await file.writePiece(i, piece(i))
      }
    })
    assert.deepEqual(asked, [[0, 5, 6, info.pieceCount - 1]], 'one re-fetch, of exactly the damaged pieces')
    assert.deepEqual(dropped, [[0, 5, 6, info.pieceCount - 1]], 'they were dropped from the store first')
    assert.deepEqual(result, { refetched: 4, inPlace: false })
    assert.equal(await sha256File(out), sha256(data), 'the export is byte-identical')
    assert.equal(await sha256File(file.dataPath), sha256(data), 'and the store is repaired')
    assert.deepEqual(await readdir(join(root, 'out')), ['film.bin'])
  })

  it('without a way to re-fetch, fails with StoredFileDamagedError, writes nothing, and the damaged pieces are dropped', async function () {
    await reopen()
    await zeroPieces(file.dataPath, info, [3])
    const out = join(root, 'out', 'film.bin')
    await assert.rejects(exportFile(file, out), (err: Error & { pieces?: number[] }) => err.name === 'StoredFileDamagedError' && err.pieces?.join() === '3')
    assert.deepEqual(await readdir(join(root, 'out')), [], 'neither the final name nor a temporary one')
    assert.equal(file.has(3), false)
    const persisted = await readFile(join(file.dir, 'bitfield'))
    assert.equal(persisted[0] & (0x80 >> 3), 0, 'the drop is persisted')
  })
})

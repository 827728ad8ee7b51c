import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { PieceStore, hashFile, pieceLength, pieceOffset, writeFileAtomic } from '../../../node/index.js'
import { pseudoRandomBytes } from '../../fixtures/hosts.js'
import { KiB, removeDir, tempDir } from '../../fixtures/network.js'
import { zeroPieces } from '../../fixtures/stored-on-disk.js'
import type { ManifestInfo, StoreFileSystem, StoredFile } from '../../../node/index.js'

/** Small pieces, so a small file has many. */
const PIECE = 16 * KiB

/** The pieces a bitfield file marks (its first bytes, most significant bit first). */
function marked (bytes: Uint8Array, pieceCount: number): number[] {
  const out: number[] = []
  for (let i = 0; i < pieceCount; i++) if ((bytes[i >> 3] & (0x80 >> (i & 7))) !== 0) out.push(i)
  return out
}

describe('node/store: a durable, self-checking piece store', function () {
  let root: string
  let info: ManifestInfo
  const data = pseudoRandomBytes(20 * PIECE + 123, 41)
  const stores: PieceStore[] = []

  function piece (i: number): Uint8Array {
    const start = pieceOffset(info.manifest, i)
    return data.subarray(start, start + pieceLength(info.manifest, i))
  }

  function newStore (fs?: Partial<StoreFileSystem>): PieceStore {
    const store = new PieceStore({ dir: join(root, 'store'), logger: defaultLogger(), persistDelayMs: 5, fs })
    stores.push(store)
    return store
  }

  beforeEach(async function () {
    root = await tempDir('piece-store')
    await writeFile(join(root, 'source'), data)
    info = await hashFile(join(root, 'source'), { pieceSize: PIECE })
  })

  afterEach(async function () {
    for (const s of stores.splice(0)) await s.close().catch(() => {})
    await removeDir(root)
  })

  it('flushes piece data to the device before any bitfield that claims it is written', async function () {
    let file: StoredFile | undefined
    /** Pieces whose data a finished datasync covers (the bits set when it started). */
    const synced = new Set<number>()
    const claims: number[][] = []
    const violations: string[] = []
    const store = newStore({
      datasync: async (handle) => {
        const covered = file == null ? [] : file.bitfield.indexes()
        await handle.datasync()
        for (const i of covered) synced.add(i)
      },
      writeFileAtomic: async (path, bytes) => {
        if (path.endsWith('bitfield')) {
          const claimed = marked(bytes, info.pieceCount)
          claims.push(claimed)
          const unsynced = claimed.filter(i => !synced.has(i))
          if (unsynced.length > 0) violations.push(`a bitfield claimed pieces ${unsynced.join(',')} before their data was synced`)
        }
        await writeFileAtomic(path, bytes)
      }
    })
    file = await store.open(info)
    // pieces arrive out of order and in bursts, with persists (timer, explicit flush) between
    const order = [3, 0, 7, 1, 19, 20, 2, 4, 5, 6, 8, 18, 9, 10, 11, 12, 17, 13, 14, 15, 16]
    for (const [k, i] of order.entries()) {
      const write = file.writePiece(i, piece(i))
      if (k % 5 === 4) await file.flush()
      if (k % 3 === 0) await new Promise(resolve => setTimeout(resolve, 10))
      await write
    }
    await file.flush()
    assert.deepEqual(violations, [])
    assert.ok(claims.length >= 4, `several bitfield writes were watched (${claims.length})`)
    assert.equal(claims.at(-1)?.length, info.pieceCount, 'the last one claims every piece')
    assert.equal(synced.size, info.pieceCount, 'every piece was synced')
  })

  it('after an unclean stop, re-verifies the pieces of the last persist on open and drops the damaged ones', async function () {
    const first = await newStore().open(info)
    for (let i = 0; i < 10; i++) await first.writePiece(i, piece(i))
    await first.flush()
    for (let i = 10; i < 14; i++) await first.writePiece(i, piece(i))
    await first.flush() // the last persist before the "crash" adds 10..13
    // the process dies here: the file is never closed. The last window's data did not all
    // reach the disk (a lost write cache): pieces 11 and 12 read back as zeros.
    await zeroPieces(first.dataPath, info, [11])
    await zeroPieces(first.dataPath, info, [12])
    const dropped: number[][] = []
    const again = await newStore().open(info)
    again.onPieceDropped(d => { dropped.push(d) })
    assert.deepEqual(again.bitfield.indexes(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13], 'the damaged recent pieces are no longer held')
    assert.deepEqual(marked(await readFile(join(again.dir, 'bitfield')), info.pieceCount), again.bitfield.indexes(), 'and the bitfield on disk says so')
    for (const i of [10, 13]) assert.equal(again.isVerified(i), true, `recent piece ${i} was verified on open`)
    assert.equal(again.isVerified(0), false, 'older pieces are not hashed on open')
    assert.deepEqual(dropped, [], 'the drop happened during open, before anyone listened')
  })

  it('after a clean close, opens without hashing, and catches a damaged piece on its first read', async function () {
    const first = await newStore().open(info)
    for (let i = 0; i < info.pieceCount; i++) await first.writePiece(i, piece(i))
    await first.close()
    assert.equal((await stat(join(first.dir, 'bitfield'))).size, Math.ceil(info.pieceCount / 8), 'a clean close leaves the plain bitfield')
    await zeroPieces(first.dataPath, info, [5])

    const file = await newStore().open(info)
    assert.equal(file.complete, true, 'a cleanly closed file is trusted on open')
    const dropped: number[][] = []
    file.onPieceDropped(d => { dropped.push(d) })
    assert.ok(Buffer.from(await file.readPiece(4)).equals(piece(4)), 'an intact piece is served')
    assert.equal(file.isVerified(4), true)
    await assert.rejects(file.readPiece(5), (err: Error) => err.name === 'PieceDamagedError')
    assert.deepEqual(dropped, [[5]], 'the listeners are told')
    assert.equal(file.has(5), false)
    assert.deepEqual(marked(await readFile(join(file.dir, 'bitfield')), info.pieceCount).includes(5), false, 'the drop is persisted')
    await assert.rejects(file.readPiece(5), (err: Error) => err.name === 'PieceNotStoredError', 'then it is simply not here')
    await assert.rejects(file.read(pieceOffset(info.manifest, 5) + 10, 100), (err: Error) => err.name === 'PieceNotStoredError', 'nor can it be streamed')

    // written again (fetched again): it is held and served, without another hash
    await file.writePiece(5, piece(5))
    assert.ok(Buffer.from(await file.readPiece(5)).equals(piece(5)))
  })

  it('verifies pieces before a streaming read hands out their bytes', async function () {
    const first = await newStore().open(info)
    for (let i = 0; i < info.pieceCount; i++) await first.writePiece(i, piece(i))
    await first.close()
    await zeroPieces(first.dataPath, info, [2])
    const file = await newStore().open(info)
    const start = pieceOffset(info.manifest, 1) + 7
    assert.ok(Buffer.from(await file.read(start, 100)).equals(data.subarray(start, start + 100)), 'bytes of an intact piece')
    await assert.rejects(file.read(pieceOffset(info.manifest, 2), 50), (err: Error) => err.name === 'PieceDamagedError')
    assert.equal(file.has(2), false)
  })

  it('knows which peers hold a piece only while a download tells it, and the newest download wins', async function () {
    const file = await newStore().open(info)
    assert.equal(file.knownHeldBy('peer-a', 3), false)
    const first = (peer: string, index: number): boolean => peer === 'peer-a' && index === 3
    const second = (peer: string, index: number): boolean => peer === 'peer-b'
    file.setPeerKnowledge(first)
    assert.equal(file.knownHeldBy('peer-a', 3), true)
    assert.equal(file.knownHeldBy('peer-a', 4), false)
    file.setPeerKnowledge(second)
    file.clearPeerKnowledge(first) // the older download ends: the newer one's knowledge stays
    assert.equal(file.knownHeldBy('peer-b', 9), true)
    file.clearPeerKnowledge(second)
    assert.equal(file.knownHeldBy('peer-b', 9), false)
  })
})

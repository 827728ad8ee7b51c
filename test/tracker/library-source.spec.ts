/**
 * The tracker's piece source over a real catalogue of real files: a file still as the
 * catalogue hashed it (same ctime and inode) is served without hashing again; otherwise each
 * piece is hashed on its first serve, and one that does not match the manifest is never served.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { open, stat, utimes } from 'node:fs/promises'
import { TransferResponse, TransferServer, decodeManifest, pieceLength, pieceOffset, verifyPiece } from '../../node/index.js'
import { startHost } from '../fixtures/hosts.js'
import { openTransfer, testIssuer } from '../fixtures/transfer-rig.js'
import { Catalogue } from '../../tracker/catalogue/index.js'
import { LibrarySource } from '../../tracker/library-source.js'
import { bytesOf, putFile, removeDir, tempDir } from './catalogue/fixtures.js'
import type { Host } from '../../node/index.js'
import type { CatalogueEntry } from '../../tracker/catalogue/index.js'
import type { Downloader } from '../fixtures/transfer-rig.js'

const KiB = 1024

describe('LibrarySource', function () {
  let media: string
  let cache: string
  let catalogue: Catalogue
  let entry: CatalogueEntry
  let path: string

  before(async function () {
    media = await tempDir('library-source-media')
    cache = await tempDir('library-source-cache')
    path = await putFile(media, 'film.bin', bytesOf(1024 * KiB + 100, 'film'))
    catalogue = new Catalogue({ mediaDir: media, cacheDir: cache, watch: false })
    await catalogue.start()
    entry = catalogue.findByName('film.bin') as CatalogueEntry
    assert.ok(entry.pieceCount >= 4)
  })

  after(async function () {
    await catalogue?.stop()
    await removeDir(media)
    await removeDir(cache)
  })

  it('serves every piece of an intact file, each matching the manifest', async function () {
    const source = new LibrarySource(catalogue, undefined, 0)
    const file = await source.lookup(entry.cidString)
    assert.ok(file != null)
    const { manifest } = decodeManifest(await catalogue.manifest(entry.cidString) as Uint8Array, entry.cid)
    try {
      for (let i = 0; i < file.pieceCount; i++) {
        const data = await file.readPiece(i)
        assert.ok(data != null && verifyPiece(manifest, i, data), `piece ${i}`)
      }
      assert.equal(file.bitfield.count, file.pieceCount)
      assert.equal(source.hashedOnServe, 0, 'the catalogue hashed this very file version: no piece hashed again')
    } finally {
      await file.close?.()
    }
  })

  it('trusts the catalogue\'s hashing across a restart (hash cache), and hashes each piece once after a touch', async function () {
    const again = new Catalogue({ mediaDir: media, cacheDir: cache, watch: false })
    await again.start()
    try {
      assert.equal(again.stats.cached, 1, 'taken from the hash cache, not hashed')
      const restarted = new LibrarySource(again, undefined, Infinity)
      await readAll(restarted, again.findByName('film.bin') as CatalogueEntry)
      assert.equal(restarted.hashedOnServe, 0)
    } finally {
      await again.stop()
    }
    // same bytes, same mtime, but ctime moves: the source can no longer know, so it hashes
    const { mtime, atime } = await stat(path)
    await utimes(path, atime, mtime)
    const touched = new LibrarySource(catalogue, undefined, Infinity)
    await readAll(touched, entry)
    assert.equal(touched.hashedOnServe, entry.pieceCount, 'every piece hashed on its first serve')
    await readAll(touched, entry)
    assert.equal(touched.hashedOnServe, entry.pieceCount, 'and only once')
  })

  async function readAll (source: LibrarySource, e: CatalogueEntry): Promise<void> {
    const file = await source.lookup(e.cidString)
    assert.ok(file != null)
    try {
      for (let i = 0; i < file.pieceCount; i++) assert.equal((await file.readPiece(i))?.byteLength, pieceLength(e, i), `piece ${i}`)
    } finally {
      await file.close?.()
    }
  }

  it('does not serve a piece damaged on disk (size and mtime unchanged): "not here", and the rest still served', async function () {
    const { mtime, atime } = await stat(path)
    const damaged = 2
    const handle = await open(path, 'r+')
    try {
      const offset = pieceOffset(entry, damaged) + 1000
      await handle.write(Uint8Array.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, offset)
    } finally {
      await handle.close()
    }
    await utimes(path, atime, mtime)
    assert.equal((await stat(path)).mtimeMs, entry.mtimeMs, 'the damage is invisible to size and mtime')

    // fresh sources: nothing verified yet in this process; hashing on the loop and in the thread pool
    for (const offloadHashFrom of [Infinity, 0]) {
      await checkDamaged(new LibrarySource(catalogue, undefined, offloadHashFrom), damaged)
    }
  })

  async function checkDamaged (source: LibrarySource, damaged: number): Promise<void> {
    const file = await source.lookup(entry.cidString)
    assert.ok(file != null)
    try {
      assert.equal(await file.readPiece(damaged), undefined, 'the damaged piece is not served')
      assert.equal(file.bitfield.has(damaged), false, 'and no longer offered')
      for (let i = 0; i < file.pieceCount; i++) {
        if (i === damaged) continue
        const data = await file.readPiece(i)
        assert.equal(data?.byteLength, pieceLength(entry, i), `piece ${i} is still served`)
      }
      // another stream of the same file sees it gone too
      const again = await source.lookup(entry.cidString)
      assert.equal(again?.bitfield.has(damaged), false)
      await again?.close?.()
    } finally {
      await file.close?.()
    }
  }

  describe('super-seeding through a real transfer server', function () {
    let hosts: Host[] = []
    let server: TransferServer

    /** The piece indexes a downloader receives, in order, until it has `n`. */
    async function received (d: Downloader, n: number): Promise<number[]> {
      const out: number[] = []
      while (out.length < n) {
        const msg = await d.next()
        assert.ok(msg != null, 'the stream ended early')
        if (msg.type === TransferResponse.Type.PIECE) out.push(msg.index)
      }
      return out
    }

    before(async function () {
      media = await tempDir('super-seed-media')
      cache = await tempDir('super-seed-cache')
      await putFile(media, 'clip.bin', bytesOf(2048 * KiB, 'clip'))
      catalogue = new Catalogue({ mediaDir: media, cacheDir: cache, watch: false })
      await catalogue.start()
      entry = catalogue.findByName('clip.bin') as CatalogueEntry
      assert.equal(entry.pieceCount, 8)
    })

    after(async function () {
      await server?.stop()
      await Promise.all(hosts.map(async h => { await h.stop() }))
      hosts = []
    })

    it('sends the least-served of the pieces asked first, so a second downloader gets what the first does not have', async function () {
      const issuer = await testIssuer()
      const trackerHost = await startHost()
      const [a, b, c] = [await startHost(), await startHost(), await startHost()]
      hosts.push(trackerHost, a, b, c)
      server = new TransferServer({ host: trackerHost, logger: trackerHost.logger, tracker: () => issuer.trackerId, source: new LibrarySource(catalogue) })
      await server.start()

      const first = await openTransfer(a, trackerHost, await issuer.issue(entry.cid, a), [0, 1, 2, 3])
      assert.deepEqual(await received(first, 4), [0, 1, 2, 3], 'nothing served yet: the order asked')
      const second = await openTransfer(b, trackerHost, await issuer.issue(entry.cid, b), [0, 1, 2, 3, 4, 5, 6, 7])
      assert.deepEqual(await received(second, 8), [4, 5, 6, 7, 0, 1, 2, 3], 'pieces never served go first')
      // pieces 0-3 were served twice, 4-7 once: the once-served first, each group in the order asked
      const third = await openTransfer(c, trackerHost, await issuer.issue(entry.cid, c), [3, 7, 2, 6])
      assert.deepEqual(await received(third, 4), [7, 6, 3, 2])
    })
  })
})

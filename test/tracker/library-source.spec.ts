/**
 * The tracker's piece source over a real catalogue of real files: each piece is hashed on its
 * first serve, and one that does not match the manifest is never served.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { open, stat, utimes } from 'node:fs/promises'
import { decodeManifest, pieceLength, pieceOffset, verifyPiece } from '../../node/index.js'
import { Catalogue } from '../../tracker/catalogue/index.js'
import { LibrarySource } from '../../tracker/library-source.js'
import { bytesOf, putFile, removeDir, tempDir } from './catalogue/fixtures.js'
import type { CatalogueEntry } from '../../tracker/catalogue/index.js'

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
    const source = new LibrarySource(catalogue)
    const file = await source.lookup(entry.cidString)
    assert.ok(file != null)
    const { manifest } = decodeManifest(await catalogue.manifest(entry.cidString) as Uint8Array, entry.cid)
    try {
      for (let i = 0; i < file.pieceCount; i++) {
        const data = await file.readPiece(i)
        assert.ok(data != null && verifyPiece(manifest, i, data), `piece ${i}`)
      }
      assert.equal(file.bitfield.count, file.pieceCount)
    } finally {
      await file.close?.()
    }
  })

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

    // a fresh source: nothing verified yet in this process
    const source = new LibrarySource(catalogue)
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
  })
})

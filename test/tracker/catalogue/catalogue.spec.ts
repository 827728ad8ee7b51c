import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { copyFile, mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { decodeManifest, hashFile, manifestCid } from '../../../node/manifest/index.js'
import { CatalogueItem } from '../../../node/protocols/catalogue/pb/catalogue.js'
import { Catalogue, NotStartedError, toWireItem } from '../../../tracker/catalogue/index.js'
import { BUNDLED_MEDIA, bytesOf, putFile, removeDir, tempDir } from './fixtures.js'

/** A well-formed cid that no file in these tests has. */
const UNKNOWN_CID = manifestCid(new TextEncoder().encode('no such manifest')).toString()

describe('catalogue: scanning a library', function () {
  let media: string
  let outside: string
  let cache: string
  let catalogue: Catalogue

  before(async function () {
    media = await tempDir('media')
    outside = await tempDir('outside')
    cache = await tempDir('cache')
    await putFile(media, 'notes.txt', 'hello catalogue\n')
    await putFile(media, 'nested/deep/noise.bin', bytesOf(600 * 1024, 'noise'))
    await putFile(media, 'nested/deep/Clip.WEBM', bytesOf(1000, 'webm'))
    await putFile(media, 'empty.dat', '')
    await putFile(media, '.hidden.txt', 'hidden')
    await putFile(media, '.secret/inside.mp3', 'hidden folder')
    await putFile(media, 'a/same.txt', 'same')
    await putFile(media, 'b/same.txt', 'same')
    await putFile(outside, 'escape.txt', 'outside the root')
    await symlink(join(outside, 'escape.txt'), join(media, 'escape-link.txt'))
    await symlink(join(media, 'notes.txt'), join(media, 'notes-link.txt'))
    await symlink(join(media, 'nested'), join(media, 'nested-link'))
    await mkdir(join(media, 'music'))
    await copyFile(join(BUNDLED_MEDIA, 'a440-tone.mp3'), join(media, 'music', 'a440-tone.mp3'))
    catalogue = new Catalogue({ mediaDir: media, cacheDir: cache, watch: false })
    await catalogue.start()
  })

  after(async function () {
    await catalogue?.stop()
    await removeDir(media)
    await removeDir(outside)
    await removeDir(cache)
  })

  it('finds nested files and skips dotfiles, dot-folders and escaping symlinks', function () {
    const paths = catalogue.list().items.map(entry => entry.path)
    assert.deepEqual(paths, [
      'a/same.txt',
      'b/same.txt',
      'empty.dat',
      'music/a440-tone.mp3',
      'nested/deep/Clip.WEBM',
      'nested/deep/noise.bin',
      'notes-link.txt',
      'notes.txt'
    ])
    assert.equal(catalogue.size, paths.length)
  })

  it('gives each file its size, MIME type, piece layout and the cid hashFile computes', async function () {
    for (const entry of catalogue.list().items) {
      const info = await hashFile(entry.absolutePath)
      assert.equal(entry.cidString, info.cid.toString(), entry.path)
      assert.ok(entry.cid.equals(info.cid))
      assert.equal(entry.size, info.manifest.size)
      assert.equal(entry.pieceSize, info.manifest.pieceSize)
      assert.equal(entry.pieceCount, info.pieceCount)
      assert.equal(entry.absolutePath, join(media, entry.path))
    }
    const noise = catalogue.findByName('nested/deep/noise.bin')
    assert.equal(noise?.size, 600 * 1024)
    assert.equal(noise?.pieceCount, 3)
    assert.equal(noise?.mime, 'application/octet-stream')
    assert.equal(catalogue.findByName('notes.txt')?.mime, 'text/plain')
    assert.equal(catalogue.findByName('nested/deep/Clip.WEBM')?.mime, 'video/webm')
    assert.equal(catalogue.findByName('music/a440-tone.mp3')?.mime, 'audio/mpeg')
    assert.equal(catalogue.findByName('empty.dat')?.size, 0)
    assert.equal(catalogue.findByName('empty.dat')?.pieceCount, 0)
    assert.deepEqual(catalogue.findByName('notes.txt')?.codecs, [])
  })

  it('reads tags, duration and bitrate of the bundled mp3', function () {
    const tone = catalogue.findByName('a440-tone.mp3')
    assert.ok(tone != null)
    assert.equal(tone.title, 'A440 tone')
    assert.equal(tone.artist, 'mediaswarm')
    assert.equal(tone.album, 'mediaswarm samples')
    assert.ok(tone.duration != null && Math.abs(tone.duration - 8) < 0.5, `duration ${tone.duration}`)
    assert.ok(tone.bitrate != null && Math.abs(tone.bitrate - 96_000) < 8_000, `bitrate ${tone.bitrate}`)
    assert.ok(tone.codecs.length > 0)
  })

  it('a file music-metadata cannot parse is listed without metadata', function () {
    const clip = catalogue.findByName('Clip.WEBM')
    assert.ok(clip != null)
    assert.equal(clip.title, undefined)
    assert.equal(clip.duration, undefined)
  })

  it('filters by case-insensitive words that must all match path, title, artist or album', function () {
    const paths = (query: string): string[] => catalogue.list(query).items.map(entry => entry.path)
    assert.deepEqual(paths('A440'), ['music/a440-tone.mp3'])
    assert.deepEqual(paths('MEDIASWARM samples'), ['music/a440-tone.mp3'], 'artist + album words')
    assert.deepEqual(paths('tone mediaswarm'), ['music/a440-tone.mp3'])
    assert.deepEqual(paths('deep'), ['nested/deep/Clip.WEBM', 'nested/deep/noise.bin'])
    assert.deepEqual(paths('deep noise'), ['nested/deep/noise.bin'])
    assert.deepEqual(paths('same'), ['a/same.txt', 'b/same.txt'])
    assert.deepEqual(paths('nothing-like-this'), [])
    assert.deepEqual(paths('  '), catalogue.list().items.map(entry => entry.path))
  })

  it('pages with offset and limit and reports the total', function () {
    const all = catalogue.list()
    const page = catalogue.list('', 1, 2)
    assert.equal(page.total, all.total)
    assert.deepEqual(page.items, all.items.slice(1, 3))
    assert.deepEqual(catalogue.list('', all.total + 5).items, [])
    assert.equal(catalogue.list('deep', 1).items.length, 1)
    assert.equal(catalogue.list('deep', 0, 1).total, 2)
  })

  it('gets entries by cid, in any multibase form', function () {
    const notes = catalogue.findByName('notes.txt')
    assert.ok(notes != null)
    assert.equal(catalogue.get(notes.cidString)?.cidString, notes.cidString)
    assert.equal(catalogue.get(notes.cid.toString(base58btc))?.cidString, notes.cidString)
    assert.equal(catalogue.get(UNKNOWN_CID), undefined)
    assert.equal(catalogue.get('not a cid'), undefined)
    // identical files share a cid; get() answers with the first by path
    const same = catalogue.findByName('b/same.txt')
    assert.equal(catalogue.get(same?.cidString ?? '')?.path, 'a/same.txt')
  })

  it('finds by exact path, else by a unique file name', function () {
    assert.equal(catalogue.findByName('nested/deep/noise.bin')?.path, 'nested/deep/noise.bin')
    assert.equal(catalogue.findByName('./nested/deep/noise.bin')?.path, 'nested/deep/noise.bin')
    assert.equal(catalogue.findByName('noise.bin')?.path, 'nested/deep/noise.bin')
    assert.equal(catalogue.findByName('clip.webm')?.path, 'nested/deep/Clip.WEBM', 'case-insensitive fallback')
    assert.equal(catalogue.findByName('same.txt'), undefined, 'ambiguous')
    assert.equal(catalogue.findByName('missing.bin'), undefined)
    assert.equal(catalogue.findByName('deep/noise.bin'), undefined, 'not a full path')
  })

  it('serves manifests that decode against their cid', async function () {
    for (const entry of catalogue.list().items) {
      const bytes = await catalogue.manifest(entry.cidString)
      assert.ok(bytes != null, entry.path)
      const info = decodeManifest(bytes, entry.cid)
      assert.equal(info.manifest.size, entry.size)
      assert.equal(info.pieceCount, entry.pieceCount)
    }
    assert.equal(await catalogue.manifest(UNKNOWN_CID), undefined)
    assert.equal(await catalogue.manifest('junk'), undefined)
  })

  it('converts entries to wire items that survive encoding', function () {
    const tone = catalogue.findByName('a440-tone.mp3')
    assert.ok(tone != null)
    const item = CatalogueItem.decode(CatalogueItem.encode(toWireItem(tone)))
    assert.ok(CID.decode(item.cid).equals(tone.cid))
    assert.equal(item.path, tone.path)
    assert.equal(item.size, tone.size)
    assert.equal(item.mime, 'audio/mpeg')
    assert.equal(item.title, 'A440 tone')
    assert.equal(item.artist, 'mediaswarm')
    assert.equal(item.duration, tone.duration)
    assert.equal(item.bitrate, tone.bitrate)
    assert.deepEqual(item.codecs, tone.codecs)
    assert.equal(item.mtime, Math.floor(tone.mtimeMs))
    assert.equal(item.width, undefined)
  })

  it('rescan() on a catalogue that is not started rejects', async function () {
    const idle = new Catalogue({ mediaDir: media, cacheDir: cache, watch: false })
    await assert.rejects(idle.rescan(), (err: Error) => err.name === 'NotStartedError' && err instanceof NotStartedError)
  })
})

describe('catalogue: the bundled media folder', function () {
  let cache: string
  let catalogue: Catalogue

  before(async function () {
    cache = await tempDir('bundled')
    catalogue = new Catalogue({ mediaDir: BUNDLED_MEDIA, cacheDir: cache, watch: false })
    await catalogue.start()
  })

  after(async function () {
    await catalogue?.stop()
    await removeDir(cache)
  })

  it('lists the samples, including the one in a subfolder, with metadata', function () {
    const mp3 = catalogue.findByName('a440-tone.mp3')
    assert.equal(mp3?.artist, 'mediaswarm')
    const mp4 = catalogue.findByName('test-pattern.mp4')
    assert.equal(mp4?.mime, 'video/mp4')
    assert.equal(mp4?.title, 'Test pattern')
    assert.ok(mp4?.duration != null && Math.abs(mp4.duration - 10) < 0.5, `duration ${mp4?.duration}`)
    assert.ok(mp4.codecs.includes('avc1'), mp4.codecs.join())
    assert.ok(mp4.bitrate != null && mp4.bitrate > 0)
    const opus = catalogue.findByName('clips/c-major-chord.opus')
    assert.equal(opus?.mime, 'audio/ogg')
    assert.equal(opus?.title, 'C major chord')
    assert.ok(opus?.duration != null && Math.abs(opus.duration - 6) < 0.5)
    const flac = catalogue.findByName('a220-tone.flac')
    assert.equal(flac?.path, 'clips/a220-tone.flac')
    assert.equal(flac?.mime, 'audio/flac')
    assert.ok(flac?.duration != null && Math.abs(flac.duration - 4) < 0.5)
  })
})

import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { copyFile, readdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeManifest, hashFile } from '../../../node/manifest/index.js'
import { Catalogue } from '../../../tracker/catalogue/index.js'
import { BUNDLED_MEDIA, bytesOf, pathsOf, putFile, removeDir, tempDir, waitForChange } from './fixtures.js'
import type { CatalogueInit } from '../../../tracker/catalogue/index.js'

describe('catalogue: hash cache', function () {
  let media: string
  let cache: string
  let tempCache: string
  const running: Catalogue[] = []

  /** Starts a catalogue on the test folders; every one is stopped after the test. */
  async function open (init: Partial<CatalogueInit> = {}): Promise<Catalogue> {
    const catalogue = new Catalogue({ mediaDir: media, cacheDir: cache, watch: false, ...init })
    running.push(catalogue)
    await catalogue.start()
    return catalogue
  }

  beforeEach(async function () {
    media = await tempDir('media')
    tempCache = await tempDir('cache')
    cache = tempCache
    await putFile(media, 'one.bin', bytesOf(300 * 1024, 'one'))
    await putFile(media, 'sub/two.txt', 'two')
    await copyFile(join(BUNDLED_MEDIA, 'a440-tone.mp3'), join(media, 'tone.mp3'))
  })

  afterEach(async function () {
    await Promise.all(running.splice(0).map(async catalogue => catalogue.stop()))
    await removeDir(media)
    await removeDir(tempCache)
  })

  it('hashes every file on the first start', async function () {
    const catalogue = await open()
    assert.deepEqual(catalogue.stats, { hashed: 3, cached: 0 })
  })

  it('a restart with the same cache folder hashes nothing and keeps the metadata', async function () {
    const first = await open()
    const before = first.list().items
    await first.stop()

    const second = await open()
    assert.deepEqual(second.stats, { hashed: 0, cached: 3 })
    const after = second.list().items
    assert.deepEqual(after.map(e => [e.path, e.cidString, e.size, e.pieceCount, e.title, e.duration]),
      before.map(e => [e.path, e.cidString, e.size, e.pieceCount, e.title, e.duration]))
    assert.equal(second.findByName('tone.mp3')?.artist, 'mediaswarm')
    // manifests come from the cache folder, not from memory
    for (const entry of after) {
      const bytes = await second.manifest(entry.cidString)
      assert.ok(bytes != null)
      decodeManifest(bytes, entry.cid)
    }
    assert.deepEqual(second.stats, { hashed: 0, cached: 3 })
  })

  it('re-hashes a file whose content (size or mtime) changed, and drops its old manifest', async function () {
    const first = await open()
    const old = first.findByName('one.bin')
    assert.ok(old != null)
    await first.stop()

    const path = await putFile(media, 'one.bin', bytesOf(300 * 1024, 'one, edited'))
    const second = await open()
    assert.deepEqual(second.stats, { hashed: 1, cached: 2 })
    const edited = second.findByName('one.bin')
    assert.ok(edited != null)
    assert.notEqual(edited.cidString, old.cidString)
    assert.equal(edited.cidString, (await hashFile(path)).cid.toString())
    assert.equal(second.get(old.cidString), undefined)
    const stored = await readdir(join(cache, 'manifests'))
    assert.ok(!stored.includes(old.cidString), 'old manifest pruned')
    assert.ok(stored.includes(edited.cidString))
  })

  it('rescan() while started replaces a changed file and reports it', async function () {
    const catalogue = await open()
    const old = catalogue.findByName('sub/two.txt')
    assert.ok(old != null)
    const changes: Array<{ added: string[], removed: string[] }> = []
    catalogue.addEventListener('change', evt => {
      changes.push({ added: pathsOf(evt.detail.added), removed: pathsOf(evt.detail.removed) })
    })
    await putFile(media, 'sub/two.txt', 'two, but longer')
    await catalogue.rescan()
    assert.deepEqual(changes, [{ added: ['sub/two.txt'], removed: ['sub/two.txt'] }])
    assert.equal(catalogue.stats.hashed, 4)
    assert.notEqual(catalogue.findByName('two.txt')?.cidString, old.cidString)

    // a touch without a content change re-hashes but reports nothing
    const future = new Date(Date.now() + 5000)
    await utimes(join(media, 'sub/two.txt'), future, future)
    await catalogue.rescan()
    assert.equal(changes.length, 1)
    const mtimeMs = catalogue.findByName('two.txt')?.mtimeMs ?? 0
    assert.ok(Math.abs(mtimeMs - future.getTime()) < 1, `mtime ${mtimeMs}`)
  })

  it('concurrent rescans are serialised and hash each file once', async function () {
    const catalogue = await open()
    await putFile(media, 'three.bin', bytesOf(700 * 1024, 'three'))
    await Promise.all([catalogue.rescan(), catalogue.rescan(), catalogue.rescan()])
    assert.equal(catalogue.stats.hashed, 4)
    assert.equal(catalogue.size, 4)
  })

  it('writes the index atomically and leaves no temporary files', async function () {
    const catalogue = await open()
    await catalogue.stop()
    const index = JSON.parse(await readFile(join(cache, 'catalogue.json'), 'utf8'))
    assert.deepEqual(Object.keys(index.files).sort(), ['one.bin', 'sub/two.txt', 'tone.mp3'])
    const names = [...await readdir(cache), ...await readdir(join(cache, 'manifests'))]
    assert.deepEqual(names.filter(name => name.endsWith('.tmp')), [])
  })

  it('a corrupt index means hashing again, not failing', async function () {
    await (await open()).stop()
    await writeFile(join(cache, 'catalogue.json'), '{"version": 1, "files": {')
    const catalogue = await open()
    assert.deepEqual(catalogue.stats, { hashed: 3, cached: 0 })
  })

  it('ignores an index written for another library folder', async function () {
    // same relative path, size and mtime, different bytes: only the root tells them apart
    const then = new Date('2020-01-01T00:00:00Z')
    await utimes(join(media, 'one.bin'), then, then)
    await (await open()).stop()
    const other = await tempDir('other')
    try {
      await putFile(other, 'one.bin', bytesOf(300 * 1024, 'not one'))
      await utimes(join(other, 'one.bin'), then, then)
      const catalogue = await open({ mediaDir: other })
      assert.deepEqual(catalogue.stats, { hashed: 1, cached: 0 })
      await catalogue.stop()
    } finally {
      await removeDir(other)
    }
  })

  it('a missing manifest file means hashing that file again', async function () {
    const first = await open()
    const one = first.findByName('one.bin')
    assert.ok(one != null)
    await first.stop()
    await removeDir(join(cache, 'manifests', one.cidString))
    const second = await open()
    assert.deepEqual(second.stats, { hashed: 1, cached: 2 })
    assert.ok(await second.manifest(one.cidString) != null)
  })

  it('rebuilds a manifest that was corrupted on disk', async function () {
    const first = await open()
    await first.stop()
    const second = await open()
    const one = second.findByName('one.bin')
    assert.ok(one != null)
    await writeFile(join(cache, 'manifests', one.cidString), 'garbage')
    const bytes = await second.manifest(one.cidString)
    assert.ok(bytes != null)
    assert.equal(decodeManifest(bytes, one.cid).manifest.size, one.size)
    decodeManifest(new Uint8Array(await readFile(join(cache, 'manifests', one.cidString))), one.cid)
  })

  it('does not list its own cache folder when it sits inside the library', async function () {
    cache = join(media, 'tracker-home')
    const catalogue = await open()
    assert.deepEqual(pathsOf(catalogue.list().items), ['one.bin', 'sub/two.txt', 'tone.mp3'])
  })

  it('when the cache folder is the library folder, leaves out only its own files', async function () {
    cache = media
    const catalogue = await open({ watch: true, debounceMs: 20 })
    assert.deepEqual(pathsOf(catalogue.list().items), ['one.bin', 'sub/two.txt', 'tone.mp3'])
    // saving the index must not look like a library change
    const change = waitForChange(catalogue, 'late.txt', ch => pathsOf(ch.added).includes('late.txt'))
    await putFile(media, 'late.txt', 'late')
    const { added } = await change
    assert.deepEqual(pathsOf(added), ['late.txt'])
    assert.deepEqual(pathsOf(catalogue.list().items), ['late.txt', 'one.bin', 'sub/two.txt', 'tone.mp3'])
  })

  it('start() rejects when the media folder does not exist', async function () {
    await assert.rejects(open({ mediaDir: join(media, 'nope') }), (err: NodeJS.ErrnoException) => err.code === 'ENOENT')
  })
})

import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { open as openFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { hashFile } from '../../../node/manifest/index.js'
import { Catalogue } from '../../../tracker/catalogue/index.js'
import { bytesOf, pathsOf, putFile, removeDir, tempDir, waitForChange } from './fixtures.js'
import type { CatalogueEntry, CatalogueInit } from '../../../tracker/catalogue/index.js'

describe('catalogue: watching the library', function () {
  let media: string
  let cache: string
  let catalogue: Catalogue | undefined

  async function open (init: Partial<CatalogueInit> = {}): Promise<Catalogue> {
    catalogue = new Catalogue({ mediaDir: media, cacheDir: cache, debounceMs: 50, pollIntervalMs: 0, ...init })
    await catalogue.start()
    return catalogue
  }

  beforeEach(async function () {
    media = await tempDir('media')
    cache = await tempDir('cache')
    await putFile(media, 'first.txt', 'first')
  })

  afterEach(async function () {
    await catalogue?.stop()
    catalogue = undefined
    await removeDir(media)
    await removeDir(cache)
  })

  it('adds a new file, in a new subfolder too, and removes a deleted one', async function () {
    const c = await open()
    assert.equal(c.size, 1)

    let change = waitForChange(c, 'added.txt to appear', ch => pathsOf(ch.added).includes('added.txt'))
    await putFile(media, 'added.txt', 'added')
    await change
    assert.equal(c.findByName('added.txt')?.size, 5)

    change = waitForChange(c, 'new/folder/deep.txt to appear', ch => pathsOf(ch.added).includes('new/folder/deep.txt'))
    await putFile(media, 'new/folder/deep.txt', 'deep')
    await change

    change = waitForChange(c, 'first.txt to go', ch => pathsOf(ch.removed).includes('first.txt'))
    await rm(join(media, 'first.txt'))
    const removed = await change
    assert.deepEqual(pathsOf(removed.added), [])
    assert.equal(c.findByName('first.txt'), undefined)

    change = waitForChange(c, 'the folder to go', ch => pathsOf(ch.removed).includes('new/folder/deep.txt'))
    await rm(join(media, 'new'), { recursive: true })
    await change
    assert.deepEqual(pathsOf(c.list().items), ['added.txt'])
  })

  it('a rename shows up as one removal and one addition with the same cid', async function () {
    const c = await open()
    const cid = c.findByName('first.txt')?.cidString
    const change = waitForChange(c, 'the rename', ch => pathsOf(ch.added).includes('renamed.txt'))
    await rename(join(media, 'first.txt'), join(media, 'renamed.txt'))
    const { added, removed } = await change
    assert.deepEqual(pathsOf(removed), ['first.txt'])
    assert.equal(added[0].cidString, cid)
    assert.deepEqual(c.stats, { hashed: 2, cached: 0 })
  })

  it('publishes a file only once it has stopped changing', async function () {
    const c = await open()
    const seen: CatalogueEntry[] = []
    c.addEventListener('change', evt => {
      seen.push(...evt.detail.added.filter(entry => entry.path === 'growing.bin'))
    })
    const done = waitForChange(c, 'growing.bin to appear', ch => pathsOf(ch.added).includes('growing.bin'), 20_000)

    // written in slices 150 ms apart: every slice fires the watcher, and every slice
    // leaves a fresh mtime, so no scan may publish a partial file
    const data = bytesOf(512 * 1024, 'growing')
    const handle = await openFile(join(media, 'growing.bin'), 'w')
    try {
      for (let offset = 0; offset < data.byteLength; offset += 64 * 1024) {
        await handle.write(data, offset, 64 * 1024, offset)
        await new Promise(resolve => setTimeout(resolve, 150))
      }
    } finally {
      await handle.close()
    }
    await done
    assert.equal(seen.length, 1, 'one publication')
    assert.equal(seen[0].size, data.byteLength)
    assert.equal(seen[0].cidString, (await hashFile(join(media, 'growing.bin'))).cid.toString())
  })

  it('the periodic rescan finds changes without the watcher', async function () {
    const c = await open({ watch: true, pollIntervalMs: 100, debounceMs: 60_000 })
    const change = waitForChange(c, 'polled.txt to appear', ch => pathsOf(ch.added).includes('polled.txt'))
    await putFile(media, 'polled.txt', 'polled')
    await change
  })

  it('ignores dotfiles and stops cleanly with a scan pending', async function () {
    const c = await open()
    await putFile(media, '.partial.tmp', 'hidden')
    await putFile(media, 'late.txt', 'late')
    await c.stop()
    assert.equal(c.findByName('.partial.tmp'), undefined)
    await assert.rejects(c.rescan(), { name: 'NotStartedError' })
  })
})

import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { IDENTITY_FILE, MAX_NAME_BYTES, loadOrCreateIdentity, tempPathBeside, writeFileAtomic } from '../../node/index.js'
import { LONGEST_NAMES } from '../fixtures/long-names.js'
import { removeDir, tempDir } from '../fixtures/network.js'

describe('node/write-atomic: durable replacement of small files', function () {
  let root: string

  beforeEach(async function () { root = await tempDir('write-atomic') })
  afterEach(async function () { await removeDir(root) })

  it('test names are 255 bytes long', function () {
    for (const name of LONGEST_NAMES) assert.equal(Buffer.byteLength(name), MAX_NAME_BYTES, name)
  })

  it('writes under any name the file system accepts (255 bytes), through a temporary name of at most 255 bytes', async function () {
    for (const name of LONGEST_NAMES) {
      const temp = tempPathBeside(join(root, name))
      assert.ok(Buffer.byteLength(temp.slice(root.length + 1)) <= MAX_NAME_BYTES, 'the temporary name fits')
      assert.ok(!temp.includes('\uFFFD'), 'no character was cut in half')
      await writeFileAtomic(join(root, name), `content of ${name}`)
      assert.equal(await readFile(join(root, name), 'utf8'), `content of ${name}`)
    }
    assert.deepEqual((await readdir(root)).sort(), [...LONGEST_NAMES].sort(), 'no temporary file is left')
  })

  it('replaces an existing file; with exclusive, refuses to (EEXIST) and keeps the first content', async function () {
    const path = join(root, 'state.json')
    await writeFileAtomic(path, 'one')
    await writeFileAtomic(path, 'two')
    assert.equal(await readFile(path, 'utf8'), 'two')
    await assert.rejects(writeFileAtomic(path, 'three', { exclusive: true }), (err: NodeJS.ErrnoException) => err.code === 'EEXIST')
    assert.equal(await readFile(path, 'utf8'), 'two')
    assert.deepEqual(await readdir(root), ['state.json'])
  })

  it('with sync: false, still replaces the file whole and leaves no temporary file', async function () {
    const path = join(root, 'requests.json')
    await writeFileAtomic(path, 'one', { sync: false })
    await writeFileAtomic(path, 'two', { sync: false })
    assert.equal(await readFile(path, 'utf8'), 'two')
    assert.deepEqual(await readdir(root), ['requests.json'])
  })

  it('the identity key is written through it with mode 0600, and two first starts agree on one key', async function () {
    const home = join(root, 'home')
    const [a, b] = await Promise.all([loadOrCreateIdentity(home), loadOrCreateIdentity(home)])
    assert.ok(a.equals(b), 'one key')
    assert.equal((await stat(join(home, IDENTITY_FILE))).mode & 0o777, 0o600)
    assert.equal((await stat(home)).mode & 0o777, 0o700)
    assert.deepEqual(await readdir(home), [IDENTITY_FILE], 'no temporary file is left')
  })
})

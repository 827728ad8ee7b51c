import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { Peer, hashFile } from '../../node/index.js'
import { assertOneLineError, cliEnv, gotOne, runCli, startCliTracker } from '../fixtures/cli-run.js'
import { pseudoRandomBytes } from '../fixtures/hosts.js'
import { fillDisk, mountTmpfs, remount, unmount } from '../fixtures/mounts.js'
import { MiB, removeDir, sha256, sha256File, tempDir, writeLibrary } from '../fixtures/network.js'
import { assertPersistedPiecesIntact, bytesOf, dataPathOf, persistedPieces, snapshot, storedDir } from '../fixtures/stored-on-disk.js'
import type { CliResult, CliTracker } from '../fixtures/cli-run.js'
import type { ManifestInfo } from '../../node/index.js'

/** Exit code of an output folder or file that cannot be written (cli/errors.ts). */
const EXIT_OUTPUT = 6
/** Exit code of a home folder (identity, piece store) that cannot be written (cli/errors.ts). */
const EXIT_HOME = 7

/** Matches `text` literally. */
function literal (text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
}

/**
 * The disk says no: a full disk under the output folder and under the home folder, a
 * read-only mount, a path through a regular file. Real tmpfs mounts (root, as on CI), the
 * real CLI and tracker. Every failure is one plain sentence with its exit code, never a
 * stack trace, and leaves what was stored intact for the next run.
 */
describe('integration: get when the disk is full or cannot be written', function () {
  let root: string
  let env: NodeJS.ProcessEnv
  let tracker: CliTracker | undefined
  const mounts: string[] = []
  const big = { path: 'big.bin', data: pseudoRandomBytes(8 * MiB + 7, 31), mime: 'application/octet-stream' }
  const small = { path: 'small.bin', data: pseudoRandomBytes(MiB + 3, 32), mime: 'application/octet-stream' }
  let bigInfo: ManifestInfo
  let smallInfo: ManifestInfo

  async function get (file: { path: string }, home: string, out: string): Promise<CliResult> {
    return runCli(['get', file.path, '--tracker', tracker?.addr ?? '', '--home', home, '-o', out, '--json'], env)
  }

  /** A tmpfs of `bytes` at `dir`, unmounted after the suite. */
  async function tmpfs (dir: string, bytes: number): Promise<string> {
    await mountTmpfs(dir, bytes)
    mounts.push(dir)
    return dir
  }

  /** A get that must succeed: the file is byte-identical; returns the bytes it fetched. */
  async function getOk (what: string, file: { path: string, data: Uint8Array }, home: string, out: string): Promise<number> {
    const got = gotOne(what, await get(file, home, out))
    assert.equal(got.path, join(out, file.path), what)
    assert.equal(await sha256File(got.path), sha256(file.data), `${what}: byte-identical`)
    return got.bytesFromTracker + got.bytesFromPeers
  }

  before(async function () {
    root = await tempDir('disk-errors')
    env = cliEnv(join(root, 'base'))
    const media = join(root, 'media')
    await mkdir(media)
    await writeLibrary(media, [big, small])
    bigInfo = await hashFile(join(media, big.path))
    smallInfo = await hashFile(join(media, small.path))
    tracker = await startCliTracker({ media, home: join(root, 'tracker'), env })
  })

  after(async function () {
    for (const dir of mounts.reverse()) await unmount(dir)
    await tracker?.stop()
    await removeDir(root)
  })

  it('output folder on a full disk: says the disk is full, exit 6, before fetching anything; no partial file', async function () {
    const out = await tmpfs(join(root, 'out-full'), 6 * MiB)
    const home = join(root, 'home-out-full')
    const result = await get(big, home, out)
    assertOneLineError('a download into a full output folder', result, EXIT_OUTPUT, /disk is full/, literal(join(out, big.path)))
    assert.deepEqual(await readdir(out), [], 'neither a partial file under the final name nor a temporary one is left')
    assert.deepEqual(await persistedPieces(home, bigInfo), [], 'it stopped before fetching a piece (the download is written in place, and there was no room)')

    // into a roomy folder, the same home downloads it in place: the store keeps no copy
    const roomy = join(root, 'out-roomy')
    assert.equal(await getOk('the same get into a roomy folder', big, home, roomy), big.data.byteLength)
    assert.equal(await dataPathOf(home, bigInfo), join(roomy, big.path), 'the store points at the file where it lies')
    assert.deepEqual((await readdir(storedDir(home, bigInfo))).sort(), ['bitfield', 'location', 'manifest'], 'no second copy in the store')
  })

  it('home folder on a full disk: get still works (the data goes to the output folder); a download into the store stops at ENOSPC, keeps what it stored intact, and completes once there is room', async function () {
    const disk = await tmpfs(join(root, 'home-disk'), 16 * MiB)
    const home = join(disk, 'peer')
    await getOk('a first, small get', small, home, join(root, 'out-home-full-1'))
    const smallBefore = await snapshot(storedDir(home, smallInfo))
    const filler = await fillDisk(disk, 3 * MiB)
    await getOk('a get of the big file, in place in a roomy output folder', big, home, join(root, 'out-home-full-2'))
    assert.deepEqual(await snapshot(storedDir(home, smallInfo)), smallBefore, 'the file stored before is untouched')

    // a download without destination (as play and peer do) keeps its data in the store
    const peer = await Peer.create({ home: join(disk, 'peer-store'), tracker: [multiaddr(tracker?.addr ?? '')] })
    try {
      await assert.rejects(peer.download(bigInfo.cid), (err: NodeJS.ErrnoException) => err.code === 'ENOSPC', 'the store fills the disk')
      const stored = join(disk, 'peer-store')
      const written = (await stat(join(storedDir(stored, bigInfo), 'data'))).blocks * 512
      assert.ok(written >= 2 * MiB, `the store wrote pieces until the disk was full (${written} bytes)`)
      await assertPersistedPiecesIntact(stored, bigInfo, big.data)
      const persisted = await persistedPieces(stored, bigInfo)
      await rm(filler)
      const again = await peer.download(bigInfo.cid)
      const fetched = again.bytesFromTracker + again.bytesFromPeers
      assert.ok(fetched <= big.data.byteLength - bytesOf(bigInfo, persisted), `only the pieces not persisted are fetched (${fetched} bytes, ${persisted.length} persisted)`)
      assert.equal(await sha256File(again.file.dataPath), sha256(big.data))
    } finally {
      await peer.stop()
    }
  })

  it('home folder on a disk with no room at all (not even for the identity key): says so, exit 7', async function () {
    const disk = await tmpfs(join(root, 'home-zero'), MiB)
    await fillDisk(disk, 0)
    const home = join(disk, 'peer')
    const result = await get(small, home, join(root, 'out-home-zero'))
    assertOneLineError('a get with a full home', result, EXIT_HOME, /home folder/, /disk is full/)
  })

  it('home folder that cannot be written (under a regular file, a read-only mount): one sentence, exit 7, nothing stored is touched', async function () {
    const blocker = join(root, 'a-regular-file')
    await writeFile(blocker, 'not a folder')
    assertOneLineError('a home under a regular file', await get(small, join(blocker, 'peer'), join(root, 'out-home-file')), EXIT_HOME, /home folder/, /not a folder/)
    assertOneLineError('a home that is a regular file', await get(small, blocker, join(root, 'out-home-file')), EXIT_HOME, /home folder/, /not a folder/)

    const disk = await tmpfs(join(root, 'home-ro'), 16 * MiB)
    const home = join(disk, 'peer')
    await getOk('a get before the remount', small, home, join(root, 'out-home-ro-1'))
    const before = await snapshot(home)
    await remount(disk, 'ro')
    assertOneLineError('a new file into a read-only home', await get(big, home, join(root, 'out-home-ro-2')), EXIT_HOME, /home folder/, /read-only/)
    assertOneLineError('a stored file from a read-only home', await get(small, home, join(root, 'out-home-ro-3')), EXIT_HOME, /home folder/, /read-only/)
    await remount(disk, 'rw')
    assert.deepEqual(await snapshot(home), before, 'identity and store are unchanged')
    assert.equal(await getOk('the stored file once writable again', small, home, join(root, 'out-home-ro-4')), 0, 'nothing fetched again')
  })

  it('output folder that cannot be written (under a regular file, a read-only mount): one sentence, exit 6, nothing stored is touched', async function () {
    const home = join(root, 'home-out-ro')
    await getOk('a get into a good folder', small, home, join(root, 'out-good'))
    const before = await snapshot(home)
    const blocker = join(root, 'another-regular-file')
    await writeFile(blocker, 'not a folder')
    assertOneLineError('output under a regular file', await get(small, home, join(blocker, 'sub')), EXIT_OUTPUT, /output folder/, /not a folder/)
    assertOneLineError('output that is a regular file', await get(small, home, blocker), EXIT_OUTPUT, /output folder/, /not a folder/)

    const ro = await tmpfs(join(root, 'out-ro'), 4 * MiB)
    await remount(ro, 'ro')
    assertOneLineError('a read-only output folder', await get(small, home, ro), EXIT_OUTPUT, /output folder/, /read-only/)
    assertOneLineError('a missing folder on a read-only mount', await get(small, home, join(ro, 'sub')), EXIT_OUTPUT, /output folder/, /read-only/)
    assert.deepEqual(await readdir(ro), [], 'nothing written to the read-only mount')
    assert.deepEqual(await snapshot(home), before, 'identity and store are unchanged')
  })
})

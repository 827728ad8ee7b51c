import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { hashFile } from '../../node/index.js'
import { cliEnv, gotOne, runCli, spawnCli, startCliTracker } from '../fixtures/cli-run.js'
import { pseudoRandomBytes } from '../fixtures/hosts.js'
import { MiB, removeDir, sha256, sha256File, tempDir, waitFor, writeLibrary } from '../fixtures/network.js'
import { assertPersistedPiecesIntact, bytesOf, persistedPieces } from '../fixtures/stored-on-disk.js'
import type { CliTracker } from '../fixtures/cli-run.js'
import type { ManifestInfo } from '../../node/index.js'

/** The tracker's upload cap: a 16 MiB file then takes about four seconds. */
const RATE = 4 * MiB
/** The token bucket's burst at that rate (a quarter of a second's worth). */
const BURST = RATE / 4

/**
 * A `get` killed with SIGKILL half-way through (a crash, the OOM killer, a power cut as
 * far as the process can tell), then run again: real CLI processes, a real tracker.
 */
describe('integration: a get killed mid-download, then run again', function () {
  let root: string
  let env: NodeJS.ProcessEnv
  let tracker: CliTracker | undefined
  let info: ManifestInfo
  const name = 'movie.bin'
  const data = pseudoRandomBytes(16 * MiB + 12_345, 21)

  before(async function () {
    root = await tempDir('crash-resume')
    env = cliEnv(join(root, 'base'))
    const media = join(root, 'media')
    await mkdir(media)
    await writeLibrary(media, [{ path: name, data, mime: 'application/octet-stream' }])
    info = await hashFile(join(media, name))
    tracker = await startCliTracker({ media, home: join(root, 'tracker'), env, args: ['--max-upload-rate', '4MiB'] })
  })

  /**
   * The download is written in place: after a kill, nothing lies under the final name, only
   * one hidden temporary file beside it, which the next run resumes into and renames.
   */
  async function assertOnlyPartialLeft (out: string): Promise<void> {
    const left = (await readdir(out)).filter(f => f.includes(name))
    assert.equal(left.length, 1, `one file is left: ${left.join(', ')}`)
    assert.match(left[0], /^\.movie\.bin\.[0-9a-f]{12}\.mediaswarm-part$/, 'a hidden temporary name, not the final one')
  }

  after(async function () {
    await tracker?.stop()
    await removeDir(root)
  })

  it('leaves nothing under the output name, and the second run resumes from the persisted pieces', async function () {
    const home = join(root, 'home')
    const out = join(root, 'out')
    const args = ['get', name, '--tracker', tracker?.addr ?? '', '--home', home, '-o', out, '--json']
    const size = data.byteLength
    const { pieceCount } = info
    assert.ok(pieceCount >= 32, `enough pieces to stop half-way (${pieceCount})`)

    // 1. the first run, killed once the store has persisted about half the pieces
    const first = spawnCli(args, env)
    try {
      await waitFor('the first run to persist half the pieces', async () => {
        if (first.child.exitCode != null) throw new Error(`the first run exited (code ${first.child.exitCode}) before it could be killed: ${first.out.stderr}`)
        const n = (await persistedPieces(home, info)).length
        if (n === pieceCount) throw new Error('the download finished before it could be killed; lower the tracker\'s --max-upload-rate')
        return n >= pieceCount / 2
      }, 60_000)
    } finally {
      first.child.kill('SIGKILL')
    }
    const killed = await first.exited
    assert.equal(killed.signal, 'SIGKILL', `the first run was killed, not finished (stderr: ${killed.stderr})`)

    // what the crash left: read after the process is gone, so nothing changes it any more
    const persisted = await persistedPieces(home, info)
    assert.ok(persisted.length > 0 && persisted.length < pieceCount, `some but not all pieces persisted (${persisted.length}/${pieceCount})`)
    await assertPersistedPiecesIntact(home, info, data)
    await assertOnlyPartialLeft(out)

    // 2. the same command again
    const second = await runCli(args, env)
    const got = gotOne('the second run', second)
    assert.equal(got.path, join(out, name))
    assert.equal(got.size, size)
    assert.equal(await sha256File(got.path), sha256(data), 'the output is byte-identical to the source')
    assert.deepEqual(await readdir(out), [name], 'no temporary file is left')

    // It fetched only what the bitfield did not mark: the persisted pieces are kept (their
    // data is flushed to the device before the bitfield that claims them; only those of the
    // last persist are re-hashed on open after the kill, and they are intact), so resuming
    // never fetches them again; the export verifies its copy. A piece written but not yet
    // persisted at the kill is simply fetched again, so this is exact, not approximate.
    const fetched = got.bytesFromTracker + got.bytesFromPeers
    const persistedBytes = bytesOf(info, persisted)
    assert.ok(fetched > 0, 'the second run fetched the missing pieces')
    assert.ok(fetched <= size - persistedBytes,
      `the second run fetched ${fetched} bytes; the ${persisted.length} persisted pieces (${persistedBytes} bytes) were not fetched again (file ${size} bytes)`)

    // the timing agrees: through the tracker's cap the whole file cannot take less than
    // (size - burst) / rate, and fetching only the missing part took less than that
    const fullMs = ((size - BURST) / RATE) * 1000
    assert.ok(got.transferMs < fullMs, `the second transfer took ${got.transferMs} ms, under the ${Math.round(fullMs)} ms the whole file needs at the capped rate`)
  })

  it('a second kill, during the resumed run, still leaves the store consistent and the third run completes', async function () {
    const home = join(root, 'home-twice')
    const out = join(root, 'out-twice')
    const args = ['get', name, '--tracker', tracker?.addr ?? '', '--home', home, '-o', out, '--json']
    const { pieceCount } = info
    const killAfter = async (what: string, atLeast: number): Promise<number[]> => {
      const run = spawnCli(args, env)
      try {
        await waitFor(what, async () => {
          if (run.child.exitCode != null) throw new Error(`${what}: the run exited (code ${run.child.exitCode}) before it could be killed: ${run.out.stderr}`)
          const n = (await persistedPieces(home, info)).length
          if (n === pieceCount) throw new Error(`${what}: the download finished before it could be killed`)
          return n >= atLeast
        }, 60_000)
      } finally {
        run.child.kill('SIGKILL')
      }
      assert.equal((await run.exited).signal, 'SIGKILL', what)
      await assertPersistedPiecesIntact(home, info, data)
      return persistedPieces(home, info)
    }
    const once = await killAfter('the first run to persist a quarter of the pieces', pieceCount / 4)
    const twice = await killAfter('the resumed run to persist more pieces', once.length + pieceCount / 4)
    assert.ok(once.every(i => twice.includes(i)), 'what the first run persisted is still marked after the second kill')
    await assertOnlyPartialLeft(out)

    const got = gotOne('the third run', await runCli(args, env))
    assert.equal(await sha256File(got.path), sha256(data), 'the output is byte-identical to the source')
    assert.ok(got.bytesFromTracker + got.bytesFromPeers <= data.byteLength - bytesOf(info, twice), 'only the pieces not persisted were fetched')
  })
})

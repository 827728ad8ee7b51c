import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { mkdir, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { Peer, hashFile, pieceLength } from '../../node/index.js'
import { cliEnv, gotOne, runCli, startCliTracker } from '../fixtures/cli-run.js'
import { pseudoRandomBytes } from '../fixtures/hosts.js'
import { LONGEST_NAMES } from '../fixtures/long-names.js'
import { probe } from '../fixtures/piece-probe.js'
import { MiB, removeDir, sha256, sha256File, tempDir, writeLibrary } from '../fixtures/network.js'
import { assertPersistedPiecesIntact, dataPathOf, persistedPieces, storedDir, zeroPieces } from '../fixtures/stored-on-disk.js'
import { seedFromFile, startSwarm } from '../fixtures/swarm.js'
import type { CliTracker } from '../fixtures/cli-run.js'
import type { ManifestInfo } from '../../node/index.js'
import type { Swarm } from '../fixtures/swarm.js'

/**
 * The store heals itself: a damaged data file under a complete bitfield is repaired by one
 * `get` (real CLI processes, a real tracker), and a peer whose stored piece went bad answers
 * "not here" instead of serving it (real hosts).
 */
describe('integration: a damaged store is repaired, never served', function () {
  describe('get (real CLI)', function () {
    let root: string
    let env: NodeJS.ProcessEnv
    let tracker: CliTracker | undefined
    let info: ManifestInfo
    const name = 'clip.bin'
    const data = pseudoRandomBytes(4 * MiB + 4321, 61)
    const longName = LONGEST_NAMES[1]
    const longData = pseudoRandomBytes(300_000, 62)

    before(async function () {
      root = await tempDir('store-repair')
      env = cliEnv(join(root, 'base'))
      const media = join(root, 'media')
      await mkdir(media)
      await writeLibrary(media, [{ path: name, data, mime: 'application/octet-stream' }, { path: longName, data: longData, mime: 'application/octet-stream' }])
      info = await hashFile(join(media, name))
      tracker = await startCliTracker({ media, home: join(root, 'tracker'), env })
    })

    after(async function () {
      await tracker?.stop()
      await removeDir(root)
    })

    const get = async (file: string, home: string, out: string): Promise<ReturnType<typeof runCli>> =>
      runCli(['get', file, '--tracker', tracker?.addr ?? '', '--home', home, '-o', out, '--json'], env)

    it('a data file zeroed under a complete bitfield: ONE run re-fetches every piece, exits 0 and says how many', async function () {
      const home = join(root, 'home-zeroed')
      gotOne('the first get', await get(name, home, join(root, 'out-1')))
      assert.equal((await persistedPieces(home, info)).length, info.pieceCount, 'the store holds the whole file')
      const dataPath = await dataPathOf(home, info)
      assert.equal(dataPath, join(root, 'out-1', name), 'the data lies where it was downloaded (in place)')
      await zeroPieces(dataPath, info)

      const result = await get(name, home, join(root, 'out-2'))
      const got = gotOne('the get over the zeroed store', result)
      assert.match(result.stderr, new RegExp(`the stored copy was damaged: re-fetched ${info.pieceCount} pieces`))
      assert.doesNotMatch(result.stderr, /Cannot write/)
      assert.equal(await sha256File(got.path), sha256(data), 'the output is byte-identical')
      assert.deepEqual(await readdir(join(root, 'out-2')), [name], 'no temporary file is left')
      assert.equal((await persistedPieces(home, info)).length, info.pieceCount, 'the store is whole again')
      await assertPersistedPiecesIntact(home, info, data)

      // and the next run finds nothing to repair
      const again = await get(name, home, join(root, 'out-3'))
      gotOne('a third get', again)
      assert.doesNotMatch(again.stderr, /damaged/)
    })

    it('a few damaged pieces: the same run re-fetches exactly those', async function () {
      const home = join(root, 'home-few')
      gotOne('the first get', await get(name, home, join(root, 'out-few-1')))
      const damaged = [0, 7, info.pieceCount - 1]
      await zeroPieces(await dataPathOf(home, info), info, damaged)
      const result = await get(name, home, join(root, 'out-few-2'))
      const got = gotOne('the get over the damaged store', result)
      assert.match(result.stderr, /the stored copy was damaged: re-fetched 3 pieces/)
      assert.equal(await sha256File(got.path), sha256(data))
      await assertPersistedPiecesIntact(home, info, data)
    })

    it('a file whose name is 255 bytes long is exported', async function () {
      assert.equal(Buffer.byteLength(longName), 255)
      const out = join(root, 'out-long')
      const got = gotOne('get of the long name', await get(longName, join(root, 'home-long'), out))
      assert.equal(got.path, join(out, longName))
      assert.equal(await sha256File(got.path), sha256(longData))
      assert.deepEqual(await readdir(out), [longName])
    })
  })

  describe('serving (real hosts)', function () {
    let swarm: Swarm | undefined

    afterEach(async function () {
      await swarm?.stop()
      swarm = undefined
    })

    it('a peer whose stored piece went bad answers "not here" for it, drops it, and serves the rest', async function () {
      const s = swarm = await startSwarm({ label: 'damaged-seed', fileSize: 3 * MiB + 77 })
      const info = await hashFile(s.path)
      const listen = ['/ip4/127.0.0.1/tcp/0']
      const seed = await s.addPeer({ listen })
      await seedFromFile(seed, s.path)
      const home = join(s.root, 'peer-0')
      await seed.stop()
      s.peers.splice(s.peers.indexOf(seed), 1)
      const bad = 5
      await zeroPieces(join(storedDir(home, info), 'data'), info, [bad])

      // the seed comes back over the same home and announces its (complete) file
      const again = await Peer.create({ home, tracker: s.tracker.addresses.map(a => multiaddr(a)), listen })
      s.peers.push(again)
      const [file] = await again.reshare(AbortSignal.timeout(10_000))
      assert.equal(file.complete, true, 'the bitfield still claims every piece')
      const dropped: number[][] = []
      file.onPieceDropped(d => { dropped.push(d) })

      // another peer, with a real ticket, asks the seed for the bad piece and a good one
      const downloader = await s.addPeer()
      const answers = await probe(s, downloader, again, info, [bad, bad + 1])
      assert.deepEqual(answers, [
        { index: bad, length: 0, intact: undefined },
        { index: bad + 1, length: pieceLength(info.manifest, bad + 1), intact: true }
      ], 'the damaged piece is "not here"; the next one is served intact')
      assert.deepEqual(dropped, [[bad]], 'the seed\'s listeners were told')
      assert.equal(file.has(bad), false)
      assert.equal((await persistedPieces(home, info)).includes(bad), false, 'the drop is persisted')

      // a whole download next to that seed completes, and the seed never sent a bad piece
      const events: string[] = []
      const result = await downloader.download(s.cid, { onProgress: (e) => { if (e.type === 'transfer:bad-piece') events.push(e.provider) } })
      assert.equal(result.file.complete, true)
      assert.deepEqual(events, [], 'no bad piece from anyone')
      assert.equal(await sha256File(result.file.dataPath), sha256(s.data))
      assert.ok((await stat(result.file.dataPath)).size === s.data.byteLength)
    })
  })
})

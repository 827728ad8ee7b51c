import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { appendFile, readdir, rename, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { Peer, exportFile, hashFile } from '../../node/index.js'
import { MiB, sha256, sha256File, waitFor, within } from '../fixtures/network.js'
import { probe } from '../fixtures/piece-probe.js'
import { storedDir } from '../fixtures/stored-on-disk.js'
import { startSwarm } from '../fixtures/swarm.js'
import type { Swarm } from '../fixtures/swarm.js'

/**
 * Downloads are written in place (a hidden temporary file beside the destination, renamed
 * when complete) and reshared from there: real tracker, real sharing peers on 127.0.0.1.
 */
describe('integration: download in place, reshared from where it lies', function () {
  let swarm: Swarm | undefined
  const listen = ['/ip4/127.0.0.1/tcp/0']

  afterEach(async function () {
    await swarm?.stop()
    swarm = undefined
  })

  it('writes the download beside its destination, renames it (same inode, no copy) and keeps no data in the store', async function () {
    const s = swarm = await startSwarm({ label: 'in-place', fileSize: 3 * MiB + 77 })
    const peer = await s.addPeer()
    const dest = join(s.root, 'out', 'film.mp4')
    const inodes = new Set<number>()
    const temps = new Set<string>()
    const result = await within('the download', 30_000, peer.download(s.cid, {
      saveAs: dest,
      onProgress: (e) => {
        if (e.type !== 'transfer:piece-verified') return
        const file = peer.fetchOf(s.cid.toString())?.file
        if (file?.target != null) temps.add(file.dataPath)
      }
    }))
    const file = result.file
    assert.equal(file.target, dest, 'until exported, the data lies under a temporary name for its destination')
    assert.equal(dirname(file.dataPath), dirname(dest), 'beside it')
    assert.deepEqual([...temps], [file.dataPath], 'every piece went to that one temporary file')
    inodes.add((await stat(file.dataPath)).ino)

    const exported = await exportFile(file, dest)
    assert.deepEqual(exported, { refetched: 0, inPlace: true })
    inodes.add((await stat(dest)).ino)
    assert.equal(inodes.size, 1, 'the file was renamed, not copied')
    assert.equal(await sha256File(dest), sha256(s.data))
    assert.deepEqual(await readdir(dirname(dest)), ['film.mp4'], 'no temporary file is left')
    const info = await hashFile(dest)
    assert.deepEqual((await readdir(storedDir(join(s.root, 'peer-0'), info))).sort(), ['bitfield', 'location', 'manifest'], 'the store keeps no second copy')
    assert.equal(file.placed, true)
    assert.equal(file.dataPath, dest)
  })

  it('a sharing peer serves the file from where it lies; changed by the user, it is dropped and answered "not here"', async function () {
    const s = swarm = await startSwarm({ label: 'in-place-serve', fileSize: 3 * MiB + 77 })
    const info = await hashFile(s.path)
    const seed = await s.addPeer({ listen })
    const dest = join(s.root, 'out', 'film.mp4')
    const { file } = await within('the download', 30_000, seed.download(s.cid, { saveAs: dest }))
    await exportFile(file, dest)
    assert.equal(file.placed, true)
    const downloader = await s.addPeer()

    const named = (): boolean => s.tracker.providers.providers(s.cid.toString()).some(p => p.peer === seed.peerId.toString())
    assert.equal(named(), true, 'the tracker names the seed')
    const served = await probe(s, downloader, seed, info, [0, 7])
    assert.deepEqual(served.map(a => [a.index, a.length > 0, a.intact]), [[0, true, true], [7, true, true]], 'pieces are served from the placed file')

    // the user edits the file
    const dropped: number[][] = []
    file.onPieceDropped(d => { dropped.push(d) })
    await appendFile(dest, 'an edit')
    const after = await probe(s, downloader, seed, info, [1, 2])
    assert.deepEqual(after.map(a => a.length), [0, 0], 'nothing is served from a file the user changed')
    assert.equal(file.lost, true)
    assert.equal(file.bitfield.count, 0, 'nothing of it is held any more')
    assert.equal(dropped.length, 1, 'the listeners were told')
    assert.equal(dropped[0].length, info.pieceCount, 'of every piece')
    assert.deepEqual((await readdir(storedDir(join(s.root, 'peer-0'), info))).sort(), ['bitfield', 'manifest'], 'the location is forgotten')
    assert.ok((await stat(dest)).size === s.data.byteLength + 'an edit'.length, 'the user\'s file is left alone')
    await waitFor('the tracker to stop naming the seed', () => !named())
  })

  it('a file the user moved while the peer was stopped is not reshared when it starts again', async function () {
    const s = swarm = await startSwarm({ label: 'in-place-moved', fileSize: MiB + 5 })
    const home = join(s.root, 'peer-0')
    const first = await s.addPeer({ listen })
    const dest = join(s.root, 'out', 'film.mp4')
    const { file } = await within('the download', 30_000, first.download(s.cid, { saveAs: dest }))
    await exportFile(file, dest)
    await first.stop()
    s.peers.splice(s.peers.indexOf(first), 1)

    // unchanged: the next start reshares it from there
    const again = await Peer.create({ home, tracker: s.tracker.addresses.map(a => multiaddr(a)), listen })
    s.peers.push(again)
    const announced = await again.reshare(AbortSignal.timeout(10_000))
    assert.deepEqual(announced.map(f => [f.cid, f.complete, f.dataPath]), [[s.cid.toString(), true, dest]])
    await again.stop()
    s.peers.splice(s.peers.indexOf(again), 1)

    // moved away: nothing to reshare, and a new get downloads it afresh
    await rename(dest, join(s.root, 'out', 'moved.mp4'))
    const third = await Peer.create({ home, tracker: s.tracker.addresses.map(a => multiaddr(a)), listen })
    s.peers.push(third)
    assert.deepEqual((await third.reshare(AbortSignal.timeout(10_000))).map(f => f.cid), [], 'nothing is announced')
    const fresh = await within('a new download', 30_000, third.download(s.cid, { saveAs: dest }))
    await exportFile(fresh.file, dest)
    assert.equal(await sha256File(dest), sha256(s.data))
    assert.ok(fresh.bytesFromTracker + fresh.bytesFromPeers === s.data.byteLength, 'fetched afresh')
    assert.equal(await sha256File(join(s.root, 'out', 'moved.mp4')), sha256(s.data), 'the moved file is left alone')
  })
})

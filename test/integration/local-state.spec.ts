import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { mkdir, readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { Peer, cidString, exportFile } from '../../node/index.js'
import { sha256, sha256File, startNetwork, within } from '../fixtures/network.js'
import type { TestNetwork } from '../fixtures/network.js'

/**
 * A peer's local state under stress: several writers on one machine (peers in one process
 * exporting to one place; two peers sharing one home folder, as two CLI processes would),
 * a file removed from the store, and a bitfield write that fails once.
 */
describe('integration: the peer\'s local state (store and exports)', function () {
  let net: TestNetwork | undefined

  afterEach(async function () {
    await net?.stop()
    net = undefined
  })

  it('three peers exporting the same file to the same path at once all succeed', async function () {
    net = await startNetwork({ label: 'export-race', peerCount: 3 })
    const n = net
    const cid = CID.parse(cidString(await n.peers[0].resolve('big.mp4')))
    const results = await within('three downloads', 30_000, Promise.all(n.peers.map(async p => p.download(cid))))
    const target = join(n.root, 'out', 'big.mp4')
    const exports = await Promise.allSettled(results.map(async r => exportFile(r.file, target)))
    const failures = exports.flatMap(e => e.status === 'rejected' ? [String((e.reason as Error).message)] : [])
    assert.deepEqual(failures, [], 'every export succeeds')
    assert.equal(await sha256File(target), sha256(n.files[0].data))
    assert.deepEqual(await readdir(join(n.root, 'out')), ['big.mp4'], 'no temporary file is left')
  })

  it('a peer never exports a corrupt file when another peer opens the same home\'s store', async function () {
    net = await startNetwork({ label: 'shared-home', peerCount: 1 })
    const n = net
    const first = n.peers[0]
    // a second process on the same machine, with the same (default) home folder
    const second = await Peer.create({ home: join(n.root, 'peer-0'), tracker: n.tracker.addresses.map(a => multiaddr(a)) })
    n.peers.push(second)
    assert.equal(second.peerId.toString(), first.peerId.toString(), 'one home, one identity')
    const cid = CID.parse(cidString(await first.resolve('big.mp4')))

    // the first download stops after its first verified piece, as if interrupted
    const interrupt = new AbortController()
    await assert.rejects(first.download(cid, {
      signal: interrupt.signal,
      onProgress: (e) => { if (e.type === 'transfer:piece-verified') interrupt.abort(new Error('interrupted')) }
    }))
    const partial = await first.store.get(cid.toString())
    assert.ok(partial != null && partial.bitfield.count > 0 && !partial.complete, 'the first peer holds some pieces')

    // the second process starts fetching the same file: it opens the shared store first
    // (a store that refuses, for a lock, is fine too: the point is what the first one exports)
    await second.store.open(partial.info).catch(() => undefined)

    // the first one resumes, completes, and exports
    const result = await within('the resumed download', 30_000, first.download(cid))
    assert.equal(result.file.complete, true)
    const out = join(n.root, 'out', 'big.mp4')
    await exportFile(result.file, out)
    assert.equal(await sha256File(out), sha256(n.files[0].data), 'the exported file matches the source')
  })

  it('two peers sharing one home download the same file at once, and both get it', async function () {
    net = await startNetwork({ label: 'shared-home-race', peerCount: 1 })
    const n = net
    const second = await Peer.create({ home: join(n.root, 'peer-0'), tracker: n.tracker.addresses.map(a => multiaddr(a)) })
    n.peers.push(second)
    const cid = CID.parse(cidString(await n.peers[0].resolve('big.mp4')))
    for (let round = 0; round < 3; round++) {
      // a fresh file each round: the race is in opening and persisting it
      await Promise.all(n.peers.map(async p => p.store.remove(cid.toString())))
      const results = await within('two downloads', 30_000, Promise.allSettled(n.peers.map(async p => p.download(cid))))
      const failures = results.flatMap(r => r.status === 'rejected' ? [String((r.reason as Error).message)] : [])
      assert.deepEqual(failures, [], `round ${round}: both downloads succeed`)
      for (const [i, r] of results.entries()) {
        if (r.status !== 'fulfilled') continue
        const out = join(n.root, `out-${round}-${i}`, 'big.mp4')
        await exportFile(r.value.file, out)
        assert.equal(await sha256File(out), sha256(n.files[0].data), `round ${round}, peer ${i}`)
      }
    }
  })

  it('download fetches a file again after the store removed it', async function () {
    net = await startNetwork({ label: 'refetch', peerCount: 1 })
    const peer = net.peers[0]
    const cid = CID.parse(cidString(await peer.resolve('notes.txt')))
    const first = await within('the first download', 20_000, peer.download(cid))
    assert.equal(first.file.complete, true)
    await peer.store.remove(cid.toString())
    const again = await within('the second download', 20_000, peer.download(cid))
    assert.equal(again.file.complete, true)
    assert.equal(await sha256File(again.file.dataPath), sha256(net.files[2].data), 'the file is in the store again')
  })

  it('a failed bitfield write does not stop later ones, nor the peer from stopping', async function () {
    net = await startNetwork({ label: 'persist-failure', peerCount: 1 })
    const peer = net.peers[0]
    const cid = CID.parse(cidString(await peer.resolve('big.mp4')))
    const { file } = await within('a download', 20_000, peer.download(cid))
    // the file's folder disappears for a moment (a cache cleaner, a full disk): one write fails
    await rm(file.dir, { recursive: true, force: true })
    await assert.rejects(file.flush(), (err: NodeJS.ErrnoException) => err.code === 'ENOENT')
    await mkdir(file.dir)
    await file.flush()
    assert.deepEqual(new Uint8Array(await readFile(join(file.dir, 'bitfield'))), file.bitfield.bytes, 'the bitfield is persisted again')
    net.peers.splice(0, 1)
    await within('the peer stopping', 10_000, peer.stop())
  })
})

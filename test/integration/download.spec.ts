import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import {
  AnnounceRequest, announce, cidString, exportFile, hashFile, requestTicket, toManifestInfo
} from '../../node/index.js'
import { baseName, sha256, sha256File, startNetwork, waitFor, within } from '../fixtures/network.js'
import type { Peer, PeerDownloadEvent, QueuePosition, Ticket } from '../../node/index.js'
import type { TestNetwork } from '../fixtures/network.js'

/** The cid the tracker must give a library file, computed here independently. */
async function expectedCid (net: TestNetwork, path: string): Promise<string> {
  return (await hashFile(join(net.mediaDir, path))).cid.toString()
}

async function cidOf (net: TestNetwork, path: string): Promise<CID> {
  return CID.parse(await expectedCid(net, path))
}

/** Releases a grant obtained with requestTicket, as a finished transfer would. */
async function releaseTicket (peer: Peer, ticket: Ticket): Promise<void> {
  const tracker = await peer.connect()
  await announce(peer.host, tracker, {
    type: AnnounceRequest.Type.DONE, cid: new Uint8Array(ticket.cid.bytes), ticketId: ticket.ticketId, success: true
  })
}

describe('integration: downloads through a real tracker', function () {
  let net: TestNetwork | undefined

  afterEach(async function () {
    await net?.stop()
    net = undefined
  })

  it('three peers download the same and different files at once, byte-identical, exported atomically', async function () {
    net = await startNetwork({ label: 'download-concurrent', peerCount: 3 })
    const n = net
    const out = join(n.root, 'out')
    const plan: string[][] = [
      ['big.mp4', 'notes.txt'],
      ['big.mp4', 'empty.dat'],
      ['big.mp4', 'music/song.mp3']
    ]
    const verified = new Map<number, number>()
    await within('three concurrent downloads', 45_000, Promise.all(plan.map(async (paths, i) => {
      const peer = n.peers[i]
      await Promise.all(paths.map(async (path) => {
        const result = await peer.download(await cidOf(n, path), {
          onProgress: (e) => { if (e.type === 'transfer:piece-verified') verified.set(i, (verified.get(i) ?? 0) + e.bytes) }
        })
        assert.equal(result.file.complete, true)
        // every peer writes into its own folder, and all of them into one shared folder
        await exportFile(result.file, join(out, `peer-${i}`, baseName(path)))
        await exportFile(result.file, join(out, 'shared', baseName(path)))
      }))
    })))
    for (const [i, paths] of plan.entries()) {
      const names = await readdir(join(out, `peer-${i}`))
      assert.deepEqual(names.sort(), paths.map(baseName).sort(), `peer ${i}: only the final names are left`)
      for (const path of paths) {
        const source = n.files.find(f => f.path === path)
        assert.ok(source != null)
        assert.equal(await sha256File(join(out, `peer-${i}`, baseName(path))), sha256(source.data), `peer ${i}: ${path}`)
      }
      // verified bytes: every non-empty file once, from the tracker (the only provider)
      const expected = paths.reduce((sum, p) => sum + (n.files.find(f => f.path === p)?.data.byteLength ?? 0), 0)
      assert.equal(verified.get(i) ?? 0, expected, `peer ${i} verified bytes`)
    }
    const shared = (await readdir(join(out, 'shared'))).sort()
    assert.deepEqual(shared, ['big.mp4', 'empty.dat', 'notes.txt', 'song.mp3'], 'shared folder holds only final names')
    for (const name of shared) {
      const source = n.files.find(f => baseName(f.path) === name)
      assert.equal(await sha256File(join(out, 'shared', name)), sha256(source?.data ?? new Uint8Array()), `shared ${name}`)
    }
    assert.equal(n.tracker.queue.stats().granted, 0, 'every slot was released after the downloads')
  })

  it('grants tickets strictly in arrival order with one slot, pushing decreasing positions', async function () {
    net = await startNetwork({ label: 'download-fifo', peerCount: 5, tracker: { slots: 1 } })
    const n = net
    const cid = await cidOf(n, 'big.mp4')
    const [holder, ...waiters] = n.peers
    const trackerId = await holder.connect()
    const held = await within('the holder\'s ticket', 10_000, requestTicket(holder.host, trackerId, { cid, requestId: 'holder' }))

    const granted: string[] = []
    const positions = new Map<string, number[]>()
    const downloads: Array<Promise<unknown>> = []
    for (const [i, peer] of waiters.entries()) {
      const id = peer.peerId.toString()
      positions.set(id, [])
      const onProgress = (e: PeerDownloadEvent): void => {
        if (e.type === 'queue:granted') granted.push(id)
        if (e.type === 'queue:position') positions.get(id)?.push(e.position.position)
      }
      downloads.push(peer.download(cid, { onProgress }))
      // arrival order is made deterministic: the next peer asks only once this one waits
      await waitFor(`peer ${i + 1} to wait in the queue`, () => {
        const line = n.tracker.queue.waiting()
        return line.length === i + 1 && line[i].peerId === id
      })
    }
    await waitFor('every waiter to hear its first position', () => [...positions.values()].every(p => p.length > 0))
    assert.deepEqual(granted, [], 'nobody is granted while the slot is held')

    await releaseTicket(holder, held)
    await within('four queued downloads', 45_000, Promise.all(downloads))

    const arrival = waiters.map(p => p.peerId.toString())
    assert.deepEqual(granted, arrival, 'grants follow arrival order')
    for (const [i, id] of arrival.entries()) {
      const seen = positions.get(id) ?? []
      assert.equal(seen[0], i + 1, `waiter ${i + 1} first hears its arrival position`)
      assert.equal(seen[seen.length - 1], 1, `waiter ${i + 1} reaches the front`)
      for (let k = 1; k < seen.length; k++) assert.ok(seen[k] < seen[k - 1], `waiter ${i + 1} positions decrease: ${seen.join(',')}`)
    }
    // the last waiter moved through every place
    assert.deepEqual(positions.get(arrival[3]), [4, 3, 2, 1])
    for (const peer of waiters) assert.equal((await peer.store.get(cid.toString()))?.complete, true)
  })

  it('lists every file with size and mime, and resolves by name, path and cid', async function () {
    net = await startNetwork({ label: 'download-ls', peerCount: 1 })
    const peer = net.peers[0]
    const items = await peer.list()
    assert.deepEqual(items.map(i => i.path).sort(), net.files.map(f => f.path).sort())
    for (const f of net.files) {
      const item = items.find(i => i.path === f.path)
      assert.ok(item != null, f.path)
      assert.equal(item.size, f.data.byteLength, `${f.path} size`)
      assert.equal(item.mime, f.mime, `${f.path} mime`)
      assert.equal(cidString(item), await expectedCid(net, f.path), `${f.path} cid`)
    }
    const byName = await peer.resolve('song.mp3')
    assert.equal(byName.path, 'music/song.mp3')
    assert.equal((await peer.resolve('music/song.mp3')).path, 'music/song.mp3')
    const cid = cidString(byName)
    assert.equal((await peer.resolve(cid)).path, 'music/song.mp3')
    assert.equal((await peer.resolve('empty.dat')).size, 0)
    assert.deepEqual((await peer.list('notes')).map(i => i.path), ['notes.txt'])
    await assert.rejects(peer.resolve('no-such-file.mp4'), (err: Error) => err.name === 'NotFoundError')
    // a well-formed cid of a manifest the catalogue does not hold
    const other = toManifestInfo({ version: 1, size: 0, pieceSize: 512 * 1024, pieceHashes: new Uint8Array(0) }).cid
    await assert.rejects(peer.resolve(other.toString()), (err: Error) => err.name === 'NotFoundError')
  })

  it('refuses requests with typed reasons: queue full, per-peer limit, unknown cid, bad request', async function () {
    net = await startNetwork({ label: 'download-refusals', peerCount: 3, tracker: { slots: 1, maxWaiting: 1, maxPerPeer: 1 } })
    const [a, b, c] = net.peers
    const trackerId = await a.connect()
    await Promise.all([b.connect(), c.connect()])
    const cid = await cidOf(net, 'big.mp4')
    const refused = (refusal: string) => (err: Error & { refusal?: string, retryAfterMs?: number }): boolean => {
      assert.equal(err.name, 'QueueRefusedError')
      assert.equal(err.refusal, refusal)
      return true
    }

    const ticketA = await requestTicket(a.host, trackerId, { cid, requestId: 'a' })
    const bPositions: QueuePosition[] = []
    const ticketB = requestTicket(b.host, trackerId, { cid, requestId: 'b', onPosition: (p) => bPositions.push(p) })
    await waitFor('b to wait', () => net?.tracker.queue.waiting().length === 1)

    await assert.rejects(requestTicket(c.host, trackerId, { cid, requestId: 'c' }), (err: Error & { retryAfterMs?: number }) => {
      refused('QUEUE_FULL')(err)
      assert.ok((err.retryAfterMs ?? 0) > 0, 'a full queue says when to retry')
      return true
    })
    await assert.rejects(requestTicket(a.host, trackerId, { cid, requestId: 'a-again' }), refused('PEER_LIMIT'))
    const unknown = toManifestInfo({ version: 1, size: 1, pieceSize: 256 * 1024, pieceHashes: new Uint8Array(32) }).cid
    await assert.rejects(requestTicket(c.host, trackerId, { cid: unknown, requestId: 'c-unknown' }), refused('UNKNOWN_CID'))
    await assert.rejects(requestTicket(c.host, trackerId, { cid, requestId: '' }), refused('BAD_REQUEST'))
    assert.deepEqual(net.tracker.queue.waiting().map(e => e.requestId), ['b'], 'refusals leave the queue as it was')

    await releaseTicket(a, ticketA)
    const granted = await within('b\'s ticket', 10_000, ticketB)
    assert.equal(granted.holder, b.peerId.toString())
    assert.deepEqual(bPositions.map(p => p.position), [1])
    // a place has freed up: c is now queued rather than refused
    const ticketC = requestTicket(c.host, trackerId, { cid, requestId: 'c' })
    await waitFor('c to wait', () => net?.tracker.queue.waiting()[0]?.requestId === 'c')
    await releaseTicket(b, granted)
    assert.equal((await within('c\'s ticket', 10_000, ticketC)).holder, c.peerId.toString())
  })

  it('hands the slot on when its holder disconnects, after the grace period', async function () {
    const graceMs = 300
    net = await startNetwork({ label: 'download-grace', peerCount: 2, tracker: { slots: 1, graceMs } })
    const n = net
    const [a, b] = n.peers
    const cid = await cidOf(n, 'big.mp4')
    const ticketA = await requestTicket(a.host, await a.connect(), { cid, requestId: 'a' })
    assert.equal(ticketA.holder, a.peerId.toString())

    let grantedAt = 0
    const download = b.download(cid, { onProgress: (e) => { if (e.type === 'queue:granted') grantedAt = Date.now() } })
    await waitFor('b to wait behind a', () => n.tracker.queue.waiting()[0]?.peerId === b.peerId.toString())

    const stoppedAt = Date.now()
    await a.stop()
    // a is gone, but keeps its slot through the grace period
    await waitFor('the tracker to see a disconnect', () => n.tracker.host.getConnections(a.peerId).length === 0)
    if (Date.now() - stoppedAt < graceMs - 50) {
      assert.equal(n.tracker.queue.grants()[0]?.peerId, a.peerId.toString(), 'the slot is kept during the grace period')
    }
    const result = await within('b\'s download', 20_000, download)
    assert.ok(grantedAt - stoppedAt >= graceMs - 20, `b was granted ${grantedAt - stoppedAt} ms after a left`)
    assert.ok(grantedAt - stoppedAt < 10_000, 'b was granted soon after the grace period')
    assert.equal(result.file.complete, true)
    const big = n.files.find(f => f.path === 'big.mp4')
    assert.equal(await sha256File(result.file.dataPath), sha256(big?.data ?? new Uint8Array()))
  })

  it('a transfer that outlasts its ticket\'s lease completes, the ticket being renewed', async function () {
    const leaseMs = 1500
    // a slow tracker: each piece waits 250 ms for upload budget, so 13 pieces take ~3 s
    const slow = { acquire: async () => { await new Promise(resolve => setTimeout(resolve, 250)) } }
    net = await startNetwork({ label: 'download-renew', peerCount: 1, tracker: { leaseMs, limiter: slow } })
    const peer = net.peers[0]
    const cid = await cidOf(net, 'big.mp4')
    let grantedAt = 0
    const result = await within('a slow download', 30_000, peer.download(cid, {
      onProgress: (e) => { if (e.type === 'queue:granted') grantedAt = Date.now() }
    }))
    assert.ok(Date.now() - grantedAt > 2 * leaseMs, 'the transfer outlasted the first lease')
    assert.deepEqual(result.transfer?.dropped, {}, 'no provider was dropped')
    assert.equal(await sha256File(result.file.dataPath), sha256(net.files[0].data))
  })

  it('keeps the place of a peer that asks again with the same requestId, and frees an unused slot at lease end', async function () {
    const leaseMs = 800
    net = await startNetwork({ label: 'download-rejoin', peerCount: 3, tracker: { slots: 1, leaseMs } })
    const n = net
    const [a, b, c] = n.peers
    const trackerId = await a.connect()
    await Promise.all([b.connect(), c.connect()])
    const cid = await cidOf(n, 'big.mp4')
    const heldAt = Date.now()
    await requestTicket(a.host, trackerId, { cid, requestId: 'a' }) // a never uses nor releases it
    const leaving = new AbortController()
    const first = requestTicket(b.host, trackerId, { cid, requestId: 'b', signal: leaving.signal })
    await waitFor('b to wait', () => n.tracker.queue.waiting().length === 1)
    const ticketC = requestTicket(c.host, trackerId, { cid, requestId: 'c' })
    await waitFor('c to wait', () => n.tracker.queue.waiting().length === 2)
    leaving.abort(new Error('connection lost'))
    await assert.rejects(first)
    const positions: number[] = []
    const ticketB = requestTicket(b.host, trackerId, { cid, requestId: 'b', onPosition: (p) => positions.push(p.position) })
    const order: string[] = []
    const [tb, tc] = await within('both tickets', 15_000, Promise.all([
      ticketB.then(t => { order.push('b'); return t }),
      ticketC.then(t => { order.push('c'); return t })
    ]))
    assert.equal(positions[0], 1, 'b is back at the front')
    assert.equal(tb.holder, b.peerId.toString())
    assert.equal(tc.holder, c.peerId.toString())
    assert.deepEqual(order, ['b', 'c'], 'b keeps its place ahead of c')
    assert.ok(tb.issuedAt - heldAt >= leaseMs - 20, 'a\'s unused slot was freed when its lease ran out')
  })
})

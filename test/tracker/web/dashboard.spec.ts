/**
 * The dashboard while two peers share a file on a real tracker: per-file bytes by source,
 * offload in the history, and the operator's per-peer list.
 */
import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TokenBucket } from '../../../node/index.js'
import { getJson } from './web-fixtures.js'
import { MiB, seedFromFile, startSwarm, waitFor, within } from '../../fixtures/swarm.js'
import type { Dashboard } from '../../../tracker/index.js'
import type { Swarm } from '../../fixtures/swarm.js'

describe('tracker web API: the dashboard of a sharing swarm', function () {
  let swarm: Swarm | undefined

  afterEach(async function () {
    await swarm?.stop()
    swarm = undefined
  })

  it('shows bytes from peers per file, offload in the history, how peers are reachable, and who holds what to the operator', async function () {
    const FILE = 4 * MiB
    // a slow tracker, so the seed carries the transfer
    swarm = await startSwarm({ label: 'web-dashboard', fileSize: FILE, seed: 61, tracker: { limiter: new TokenBucket({ rate: 1 * MiB }), http: { host: '127.0.0.1', port: 0 } } })
    const s = swarm
    const base = s.tracker.web?.url ?? assert.fail()
    const token = s.tracker.web?.token ?? assert.fail()
    const seed = await s.addPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    await seedFromFile(seed, s.path)
    const downloader = await s.addPeer({ listen: ['/ip4/127.0.0.1/tcp/0'], swarmIntervalMs: 500 })
    const result = await within('the download', 60_000, downloader.download(s.cid))
    assert.equal(result.file.complete, true)
    const cid = s.cid.toString()
    // the downloader's DONE (the seed reported one of its own when it was seeded)
    await waitFor('the DONE', () => (s.tracker.stats.byFile()[cid]?.servedByPeers ?? 0) > 0 && s.tracker.queue.stats().granted === 0)

    const dashboard = await waitFor('a history sample after the DONE', async () => {
      const { body } = await getJson<Dashboard>(`${base}/api/dashboard`, { Authorization: `Bearer ${token}` })
      const last = body.history[body.history.length - 1]
      return last != null && last.offload > 0 ? body : undefined
    })
    const file = dashboard.files.find(f => f.cid === cid) ?? assert.fail('the file is listed')
    assert.equal(file.name, 'film.mp4')
    assert.ok(file.bytesFromPeers > 0, 'bytes came from the seed')
    assert.equal(file.bytesFromPeers, s.tracker.stats.byFile()[cid].servedByPeers)
    assert.equal(file.bytesFromTracker, s.tracker.stats.byFile()[cid].servedByTracker)
    const last = dashboard.history[dashboard.history.length - 1]
    assert.equal(last.offload, file.bytesFromPeers / (file.bytesFromPeers + file.bytesFromTracker))
    // newest last, one a second
    for (let i = 1; i < dashboard.history.length; i++) assert.ok(dashboard.history[i].t > dashboard.history[i - 1].t)

    assert.equal(dashboard.peers.count, 2)
    // both listen on loopback: the tracker's dial-back reaches them, so they count as public
    const reached = await waitFor('both peers dialled back', async () => {
      const { body } = await getJson<Dashboard>(`${base}/api/dashboard?token=${token}`)
      return body.peers.byReachability.public === 2 ? body : undefined
    })
    assert.deepEqual(reached.peers.byReachability, { public: 2, upnp: 0, holePunched: 0, relayOnly: 0, unknown: 0 })
    const list = reached.peers.list ?? assert.fail('the operator gets the peer list')
    const ids = new Set(list.map(p => p.peer))
    assert.ok(ids.has(seed.peerId.toString()) && ids.has(downloader.peerId.toString()))
    for (const p of list) {
      assert.equal(p.reachability, 'public')
      assert.equal(typeof p.uploadRate, 'number')
      assert.equal(typeof p.downloadRate, 'number')
    }
    // the downloader was granted the file and announced it
    await waitFor('the downloader holds the file', async () => {
      const { body } = await getJson<Dashboard>(`${base}/api/dashboard?token=${token}`)
      return body.peers.list?.find(p => p.peer === downloader.peerId.toString())?.holds === 1
    })
    // the public view of the same: counts, no list
    const { body: open } = await getJson<Dashboard>(`${base}/api/dashboard`)
    assert.equal(open.peers.count, 2)
    assert.equal(open.peers.list, undefined)
    assert.deepEqual(open.files, dashboard.files)
  })
})

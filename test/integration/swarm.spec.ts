import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TokenBucket } from '../../node/index.js'
import {
  EventLog, MiB, seedFromFile, sha256, sha256File, startBadProvider, startSwarm, waitFor, within
} from '../fixtures/swarm.js'
import type { Peer, PeerDownloadResult } from '../../node/index.js'
import type { Swarm } from '../fixtures/swarm.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

describe('swarm', function () {
  this.timeout(120_000)
  let swarm: Swarm | undefined

  afterEach(async function () {
    await swarm?.stop()
    swarm = undefined
  })

  it('six peers downloading one file at once get identical copies while the tracker uploads far fewer than six', async function () {
    const FILE = 16 * MiB
    const RATE = 4 * MiB
    const PEERS = 6
    swarm = await startSwarm({ label: 'six', fileSize: FILE, seed: 31, tracker: { limiter: new TokenBucket({ rate: RATE }), slots: PEERS } })
    const s = swarm
    const peers: Peer[] = []
    for (let i = 0; i < PEERS; i++) {
      peers.push(await s.addPeer({ listen: LISTEN, limiter: new TokenBucket({ rate: RATE }), swarmIntervalMs: 500 }))
    }
    const started = performance.now()
    const results: PeerDownloadResult[] = await within('six downloads', 100_000, Promise.all(peers.map(async p => p.download(s.cid))))
    const seconds = (performance.now() - started) / 1000
    const expected = sha256(s.data)
    for (const [i, r] of results.entries()) {
      assert.equal(r.file.complete, true, `peer ${i} is not complete`)
      assert.equal(await sha256File(r.file.dataPath), expected, `peer ${i} holds different bytes`)
      assert.equal(r.bytesFromTracker + r.bytesFromPeers, FILE, `peer ${i} counted ${r.bytesFromTracker + r.bytesFromPeers} bytes`)
      assert.deepEqual(r.transfer?.banned, {}, `peer ${i} banned an honest provider`)
    }
    const fromPeers = results.reduce((n, r) => n + r.bytesFromPeers, 0)
    const stats = await waitFor('the tracker to record six completed downloads', () => {
      const st = s.tracker.stats.byFile()[s.cid.toString()]
      return st != null && st.completed === PEERS ? st : undefined
    })
    const copies = stats.servedByTracker / FILE
    const duplicates = results.reduce((n, r) => n + r.bytesDuplicate, 0)
    const cancels = results.reduce((n, r) => n + (r.transfer?.fallbackCancels ?? 0), 0)
    const substitutes = results.reduce((n, r) => n + (r.transfer?.substitutes ?? 0), 0)
    console.log(`      tracker uploaded ${copies.toFixed(2)} copies (${(stats.servedByTracker / MiB).toFixed(1)} MiB) for ${PEERS} downloads in ${seconds.toFixed(1)} s; peers exchanged ${(fromPeers / MiB).toFixed(1)} MiB; duplicates received ${(duplicates / FILE).toFixed(2)} F; tracker requests handed to peers ${cancels}; substitutes from the tracker ${substitutes}`) // eslint-disable-line no-console
    assert.ok(fromPeers > 0, 'no byte went from peer to peer')
    assert.equal(stats.servedByPeers, fromPeers, 'the tracker\'s offload figure differs from what peers received')
    // every piece the tracker sent was counted by some peer, apart from endgame duplicates
    assert.ok(stats.servedByTracker >= FILE, 'the tracker sent less than one copy, yet nobody else had the file')
    assert.ok(stats.servedByTracker < 3 * FILE, `the tracker uploaded ${copies.toFixed(2)} copies`)
  })

  it('finishes from the tracker when a provider dies mid-transfer', async function () {
    const FILE = 8 * MiB
    swarm = await startSwarm({ label: 'killed', fileSize: FILE, seed: 41, tracker: { limiter: new TokenBucket({ rate: 1 * MiB }) } })
    const s = swarm
    const seed = await s.addPeer({ listen: LISTEN, limiter: new TokenBucket({ rate: 2 * MiB }) })
    await seedFromFile(seed, s.path)
    const seedId = seed.peerId.toString()
    const trackerId = s.tracker.host.peerId.toString()
    const downloader = await s.addPeer({ swarmIntervalMs: 500 })
    const log = new EventLog()
    const download = downloader.download(s.cid, { onProgress: log.onProgress })
    download.catch(() => {})
    // the seed carries the transfer (the tracker only serves what no peer has) ...
    await waitFor('four pieces from the seed', () => log.of('transfer:piece-verified', seedId).length >= 4, 20_000)
    // the tracker may have served its first request window, asked before the seed's bitfield
    // arrived; after that it serves only what no peer has, which here is nothing
    const early = log.of('transfer:piece-verified', trackerId).length
    assert.ok(early <= 4, `the tracker served ${early} pieces the seed had`)
    // ... until it vanishes without a goodbye
    await seed.host.stop()
    const result = await within('download after the seed died', 60_000, download)
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data))
    const fromSeed = result.transfer?.bytesByProvider[seedId] ?? 0
    const fromTracker = result.transfer?.bytesByProvider[trackerId] ?? 0
    assert.ok(fromSeed > 0 && fromSeed < FILE, `${fromSeed} bytes came from the seed`)
    assert.equal(fromSeed + fromTracker, FILE)
    assert.ok(log.of('transfer:provider-dropped', seedId).length >= 1, 'the dead seed was never dropped')
    assert.ok(result.transfer?.dropped[seedId] != null)
    assert.equal(log.of('transfer:provider-dropped', trackerId).length, 0, 'the tracker was dropped')
  })

  it('detects corrupted pieces, drops their provider for good and still gets a correct file', async function () {
    const FILE = 6 * MiB
    swarm = await startSwarm({ label: 'corrupt', fileSize: FILE, seed: 51, tracker: { limiter: new TokenBucket({ rate: 4 * MiB }) } })
    const s = swarm
    const bad = await startBadProvider(s, () => true)
    const trackerId = s.tracker.host.peerId.toString()
    const downloader = await s.addPeer({ swarmIntervalMs: 200 })
    const log = new EventLog()
    const result = await within('download beside a corrupting provider', 60_000, downloader.download(s.cid, { onProgress: log.onProgress }))
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data), 'the stored file differs from the original')
    assert.ok(log.of('transfer:provider-connected', bad.peerId).length >= 1, 'the bad provider was never used: the test proves nothing')
    const badPieces = log.of('transfer:bad-piece', bad.peerId)
    assert.ok(badPieces.length >= 1, 'no bad piece was detected')
    for (const e of badPieces) assert.ok(bad.served.includes(e.index), `piece ${e.index} reported bad was never sent by the bad provider`)
    assert.equal(log.of('transfer:bad-piece').length, badPieces.length, 'a good provider was blamed')
    const dropped = log.of('transfer:provider-dropped', bad.peerId)
    assert.equal(dropped.length, 1, 'the bad provider was not dropped exactly once')
    assert.match(dropped[0].reason, /failed verification/)
    // renewed tickets still name it, but it is never asked again
    assert.equal(log.of('transfer:provider-connected', bad.peerId).length, 1, 'the bad provider was reconnected')
    assert.equal(log.of('transfer:piece-verified', bad.peerId).length, 0, 'a corrupted piece was accepted')
    assert.equal(result.transfer?.bytesByProvider[bad.peerId] ?? 0, 0)
    assert.equal(result.transfer?.bytesByProvider[trackerId], FILE)
  })
})

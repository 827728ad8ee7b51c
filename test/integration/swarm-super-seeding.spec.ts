/**
 * The tracker's super-seeding end to end: a real tracker, and a real peer whose download
 * session offers the tracker alternatives with its requests. Pieces the tracker sent to
 * someone before are replaced by offered pieces it never sent; each substitute is verified
 * and stored like any piece, and the piece it replaced is fetched later all the same.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { TokenBucket, TransferResponse, requestTicket } from '../../node/index.js'
import { openTransfer } from '../fixtures/transfer-rig.js'
import { EventLog, MiB, sha256, sha256File, startSwarm, within } from '../fixtures/swarm.js'
import type { Swarm } from '../fixtures/swarm.js'

describe('integration: super-seeding substitutes', function () {
  this.timeout(90_000)
  let swarm: Swarm | undefined

  afterEach(async function () {
    await swarm?.stop()
    swarm = undefined
  })

  it('a downloader accepts, verifies and stores the substitutes the tracker sends, and still gets the pieces they replaced', async function () {
    swarm = await startSwarm({ label: 'super-seed', fileSize: 8 * MiB, seed: 77, tracker: { slots: 4, limiter: new TokenBucket({ rate: 4 * MiB }) } })
    const s = swarm
    const trackerId = s.tracker.host.peerId
    const pieceCount = s.tracker.catalogue.findByName('film.mp4')?.pieceCount ?? 0
    assert.ok(pieceCount >= 16, `${pieceCount} pieces: too few for the test`)
    // someone fetched the even pieces from the tracker and went away
    const early = await s.addPeer()
    await early.host.dial(s.tracker.addresses.map(a => multiaddr(a)), { signal: AbortSignal.timeout(10_000) })
    const ticket = await requestTicket(early.host, trackerId, { cid: s.cid, requestId: 'early', signal: AbortSignal.timeout(20_000) })
    const evens = Array.from({ length: pieceCount >> 1 }, (_, i) => 2 * i)
    const raw = await openTransfer(early.host, s.tracker.host, ticket, evens)
    let got = 0
    while (got < evens.length) {
      const msg = await raw.next()
      assert.ok(msg != null, 'the early stream ended')
      if (msg.type === TransferResponse.Type.PIECE && msg.length > 0) got++
    }
    await early.stop()

    const peer = await s.addPeer({ swarmIntervalMs: 500 })
    const log = new EventLog()
    const result = await within('the download', 60_000, peer.download(s.cid, { onProgress: log.onProgress }))
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data), 'the stored file differs from the original')
    const substitutes = result.transfer?.substitutes ?? 0
    // a slow tracker: a few requests in flight there at a time, the rest can be offered.
    // Asked in a random order, with the odd pieces (never sent) offered: the tracker sends an
    // odd piece instead of an even one at least once (the chance it never can is below 1e-4)
    assert.ok(substitutes > 0, 'the tracker sent no substitute')
    assert.ok(substitutes <= pieceCount >> 1, `${substitutes} substitutes for ${pieceCount >> 1} pieces sent before`)
    const verified = log.of('transfer:piece-verified', trackerId.toString())
    assert.equal(new Set(verified.map(e => e.index)).size, pieceCount, 'every piece was verified once, substitutes and the pieces they replaced included')
    assert.equal(result.transfer?.bytesByProvider[trackerId.toString()], s.data.byteLength)
    assert.deepEqual(result.transfer?.banned, {})
  })
})

/**
 * The dial tie-break (only the smaller PeerId dials at once) is for peers that learn of each
 * other at once, from renewals. The peers a first ticket names were granted before the
 * downloader, so they do not know of it and are not dialling it: the session dials them at
 * once, even when its PeerId is the larger one.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TokenBucket } from '../../node/index.js'
import { MiB, seedFromFile, sha256, sha256File, startSwarm, within } from '../fixtures/swarm.js'
import type { Swarm } from '../fixtures/swarm.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

describe('swarm: dialling the first ticket\'s peers', function () {
  this.timeout(60_000)
  let swarm: Swarm | undefined

  afterEach(async function () {
    await swarm?.stop()
    swarm = undefined
  })

  it('a downloader with the larger PeerId dials the seed its first ticket names at once', async function () {
    // the tracker alone would take 8 s: a downloader waiting out its grace would get it all from there
    swarm = await startSwarm({ label: 'first-ticket-dial', fileSize: 4 * MiB, seed: 83, tracker: { limiter: new TokenBucket({ rate: 512 * 1024 }) } })
    const s = swarm
    // a grace this long would time the test out (or leave every byte to the tracker) if it were waited for
    const session = { dialGraceMs: 10 * 60_000 }
    const [a, b] = [await s.addPeer({ listen: LISTEN, session }), await s.addPeer({ listen: LISTEN, session })]
    const [seed, downloader] = a.peerId.toString() < b.peerId.toString() ? [a, b] : [b, a]
    await seedFromFile(seed, s.path)
    const result = await within('the download', 50_000, downloader.download(s.cid))
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data))
    assert.ok(result.bytesFromPeers > result.bytesFromTracker, `${result.bytesFromPeers} bytes from the seed, ${result.bytesFromTracker} from the tracker`)
    const conns = downloader.host.getConnections(seed.peerId)
    assert.ok(conns.some(c => c.direction === 'outbound'), 'the downloader dialled the seed itself')
  })
})

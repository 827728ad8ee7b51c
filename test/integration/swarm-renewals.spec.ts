import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { AnnounceRequest, TokenBucket } from '../../node/index.js'
import { recordAnnouncements } from '../fixtures/hostile-providers.js'
import { MiB, sha256, sha256File, startSwarm, within } from '../fixtures/swarm.js'
import type { Swarm } from '../fixtures/swarm.js'

describe('swarm: renewals', function () {
  this.timeout(60_000)
  let swarm: Swarm | undefined

  afterEach(async function () {
    await swarm?.stop()
    swarm = undefined
  })

  it('slow down to 4 swarm intervals while they name no new provider', async function () {
    const INTERVAL = 100
    // about 4 s from the tracker alone: time for a dozen renewals at the base interval
    swarm = await startSwarm({ label: 'renew-backoff', fileSize: 4 * MiB, seed: 71, tracker: { limiter: new TokenBucket({ rate: 1 * MiB }) } })
    const s = swarm
    const announcements = await recordAnnouncements(s.tracker.host)
    const peer = await s.addPeer({ swarmIntervalMs: INTERVAL })
    const result = await within('the download', 50_000, peer.download(s.cid))
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data))
    const at = announcements.requests
      .filter(r => r.from === peer.peerId.toString() && r.request.type === AnnounceRequest.Type.RENEW)
      .map(r => r.at)
    assert.ok(at.length >= 4, `only ${at.length} renewals: the test proves nothing`)
    // a sleep never ends early: from the fourth renewal on, each waited at least 4 intervals
    // (100, 200, 400, 400 ms ...); at a fixed cadence the gaps would be about 100 ms
    const later = at.slice(3).map((t, i) => t - at[i + 2])
    for (const gap of later) assert.ok(gap >= 4 * INTERVAL - 20, `renewals ${gap} ms apart: ${JSON.stringify(at.map(t => t - at[0]))}`)
  })
})

import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { AnnounceRequest, TokenBucket, announce, requestTicket, startMediaServer } from '../../node/index.js'
import { openResponse } from '../fixtures/http-client.js'
import { EventLog, MiB, sha256, sha256File, startSwarm, waitFor, within } from '../fixtures/swarm.js'
import type { Swarm } from '../fixtures/swarm.js'
import type { Ticket } from '../../node/index.js'

describe('integration: fetch lifecycle', function () {
  this.timeout(60_000)
  let swarm: Swarm | undefined

  afterEach(async function () {
    await swarm?.stop()
    swarm = undefined
  })

  /** A swarm whose one slot is held by another peer's ticket; returns the release. */
  async function swarmWithSlotTaken (label: string, maxWaiting?: number): Promise<{ s: Swarm, release: () => Promise<void> }> {
    swarm = await startSwarm({ label, fileSize: 2 * MiB, seed: 600, tracker: { slots: 1, maxWaiting } })
    const s = swarm
    const blocker = await s.addPeer()
    const tracker = await blocker.connect()
    const ticket: Ticket = await requestTicket(blocker.host, tracker, { cid: s.cid, requestId: 'blocker' })
    const release = async (): Promise<void> => {
      await announce(blocker.host, tracker, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(s.cid.bytes), requestId: 'blocker', ticketId: ticket.ticketId, success: false })
    }
    return { s, release }
  }

  it('concurrent fetches of one cid share one manifest fetch, one queue request and one session; every caller gets progress', async function () {
    const { s, release } = await swarmWithSlotTaken('single-flight')
    const peer = await s.addPeer()
    const first = new EventLog()
    const second = new EventLog()
    const [a, b] = await Promise.all([peer.fetch(s.cid, { onProgress: first.onProgress }), peer.fetch(s.cid, { onProgress: second.onProgress })])
    assert.equal(a, b, 'two Fetch objects for one cid')
    await waitFor('the request to wait in the queue', () => s.tracker.queue.waiting().some(e => e.peerId === peer.peerId.toString()))
    assert.equal(s.tracker.queue.waiting().filter(e => e.peerId === peer.peerId.toString()).length, 1, 'more than one queue request')
    await waitFor('both callers to hear their position', () => first.of('queue:position').length > 0 && second.of('queue:position').length > 0)
    // a third caller, late, is told where the fetch stands
    const late = new EventLog()
    assert.equal(await peer.fetch(s.cid, { onProgress: late.onProgress }), a)
    assert.equal(late.of('queue:position').length, 1, 'the late caller was not told the queue position')
    await release()
    const result = await within('the shared download', 30_000, a.result)
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data))
    for (const log of [first, second, late]) {
      assert.equal(log.of('queue:granted').length, 1)
      assert.equal(log.of('download:start').length, 1)
      assert.ok(log.of('transfer:piece-verified').length > 0)
    }
    const after = new EventLog()
    await peer.fetch(s.cid, { onProgress: after.onProgress })
    assert.equal(after.of('download:start').length, 1, 'a caller after the end is told the download started')
  })

  it('readers waiting on a fetch that fails end with its error, the streaming reader and an HTTP range response alike', async function () {
    // the one slot is taken and nobody may wait: the request is refused
    const { s } = await swarmWithSlotTaken('failed-reader', 0)
    const peer = await s.addPeer()
    const fetch = await peer.fetch(s.cid)
    const reader = fetch.read(0, 1000)
    const error = await fetch.result.then(() => undefined, (err: Error) => err)
    assert.equal(error?.name, 'QueueRefusedError')
    await assert.rejects(within('the streaming reader', 10_000, reader.next()), (err: Error) => err === error)
    assert.equal(fetch.state.phase, 'failed')
    // an HTTP range response of the media server (through peer.media) ends instead of hanging
    const web = await startMediaServer({ open: async (cid, signal) => peer.media(cid, signal), logger: peer.host.logger })
    s.onStop(web.close)
    const response = async (): Promise<void> => {
      const res = await openResponse(web.urlOf(s.cid.toString(), 'film.mp4'), { headers: { Range: `bytes=${MiB}-${MiB + 999}` }, timeoutMs: 20_000 })
      for await (const _chunk of res) {} // eslint-disable-line no-empty
    }
    // the response is cut (before or after its head), not completed, not left waiting
    await assert.rejects(within('the HTTP response', 10_000, response()), (err: Error) => !/did not settle/.test(err.message))
  })

  it('a renewal refused because the grant is gone asks the queue again with the same request id, and the download completes', async function () {
    swarm = await startSwarm({ label: 'requeue', fileSize: 6 * MiB, seed: 610, tracker: { slots: 1, limiter: new TokenBucket({ rate: MiB }) } })
    const s = swarm
    const peer = await s.addPeer({ swarmIntervalMs: 200 })
    const fetch = await peer.fetch(s.cid)
    const mine = (): boolean => s.tracker.queue.grants().some(g => g.peerId === peer.peerId.toString() && g.requestId === fetch.requestId)
    await waitFor('a first MiB from the tracker', () => s.tracker.stats.totalServedByTracker >= MiB, 30_000)
    assert.ok(mine(), 'the fetch holds no grant')
    // the grant vanishes under it (as when its lease ran out)
    s.tracker.queue.release({ peerId: peer.peerId.toString(), requestId: fetch.requestId })
    assert.ok(!mine())
    await waitFor('the fetch to be granted again', mine, 20_000)
    const result = await within('the download', 60_000, fetch.result)
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data))
  })
})

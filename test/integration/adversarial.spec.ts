import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { AnnounceRequest } from '../../node/index.js'
import { HOSTILE_MODES, recordAnnouncements, startHostileProvider } from '../fixtures/hostile-providers.js'
import { EventLog, MiB, sha256, sha256File, startSwarm, waitFor, within } from '../fixtures/swarm.js'
import type { BanReason, SessionTuning } from '../../node/index.js'
import type { AnnouncementLog, HostileMode, HostileProvider } from '../fixtures/hostile-providers.js'
import type { Swarm } from '../fixtures/swarm.js'

/** The reason each kind of hostile provider must be banned and reported for. */
const EXPECTED: Record<HostileMode, BanReason> = {
  liar: 'lied',
  'stall-before': 'stalled',
  'stall-inside': 'stalled',
  corrupt: 'bad-piece',
  trickle: 'stalled',
  disconnect: 'protocol',
  'have-flood': 'protocol',
  'have-range': 'protocol',
  substitute: 'lied'
}

/**
 * The piece timeout is short, and shorter than the session's stall time: the tracker takes
 * only pieces no healthy peer holds, and the hostile peers claim every piece, so the
 * download cannot finish unless each hostile peer that was asked is banned first.
 */
const TUNING: SessionTuning = { pieceTimeoutMs: 800, stallMs: 60_000 }

describe('integration: adversarial providers', function () {
  this.timeout(90_000)
  let swarm: Swarm | undefined

  afterEach(async function () {
    await swarm?.stop()
    swarm = undefined
  })

  async function downloadBeside (modes: HostileMode[], tuning: SessionTuning, seed: number): Promise<{ s: Swarm, log: EventLog, hostile: HostileProvider[], announcements: AnnouncementLog, result: Awaited<ReturnType<import('../../node/index.js').Peer['download']>> }> {
    swarm = await startSwarm({ label: 'adversarial', fileSize: 8 * MiB, seed, tracker: { slots: 16, maxPerPeer: 16 } })
    const s = swarm
    const announcements = await recordAnnouncements(s.tracker.host)
    const hostile: HostileProvider[] = []
    for (const mode of modes) hostile.push(await startHostileProvider(s, mode))
    const downloader = await s.addPeer({ swarmIntervalMs: 200, session: tuning })
    const log = new EventLog()
    const result = await within('the honest download', 60_000, downloader.download(s.cid, { onProgress: log.onProgress }))
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data), 'the stored file differs from the original')
    return { s, log, hostile, announcements, result }
  }

  async function assertBannedAndReported (log: EventLog, announcements: AnnouncementLog, h: HostileProvider, reason: BanReason, banned: Record<string, BanReason> | undefined): Promise<void> {
    assert.ok(log.of('transfer:provider-connected', h.peerId).length >= 1, `${h.mode}: never connected; the test proves nothing`)
    assert.ok(h.wanted.length >= 1, `${h.mode}: was never asked for a piece; the test proves nothing`)
    const bans = log.of('transfer:provider-banned', h.peerId)
    assert.equal(bans.length, 1, `${h.mode}: banned ${bans.length} times`)
    assert.equal(bans[0].reason, reason, `${h.mode}: banned for ${bans[0].reason} (${bans[0].message})`)
    assert.equal(banned?.[h.peerId], reason)
    assert.equal(log.of('transfer:piece-verified', h.peerId).length, 0, `${h.mode}: a piece of it was accepted`)
    // renewals name it again, but it is never asked again
    assert.equal(log.of('transfer:provider-connected', h.peerId).length, 1, `${h.mode}: reconnected after its ban`)
    const reports = await waitFor(`the tracker to receive a REPORT about the ${h.mode} provider`, () => {
      const r = announcements.reportsAbout(h.peerId)
      return r.length > 0 ? r : undefined
    })
    assert.equal(reports[0].reason, reason)
  }

  for (const mode of HOSTILE_MODES) {
    it(`${mode}: completes byte-identical; the provider is banned (${EXPECTED[mode]}) and reported`, async function () {
      const { log, hostile, announcements, result } = await downloadBeside([mode], TUNING, 100 + HOSTILE_MODES.indexOf(mode))
      await assertBannedAndReported(log, announcements, hostile[0], EXPECTED[mode], result.transfer?.banned)
    })
  }

  it('all of them at once: completes byte-identical; each one that was asked is banned and reported for its own reason', async function () {
    const { s, log, hostile, announcements, result } = await downloadBeside(HOSTILE_MODES, TUNING, 200)
    const asked = hostile.filter(h => h.wanted.length > 0)
    assert.ok(asked.length >= 3, `only ${asked.length} hostile providers were asked for pieces`)
    for (const h of asked) await assertBannedAndReported(log, announcements, h, EXPECTED[h.mode], result.transfer?.banned)
    assert.equal(result.transfer?.bytesByProvider[s.tracker.host.peerId.toString()], s.data.byteLength)
    assert.equal(log.of('transfer:provider-banned', s.tracker.host.peerId.toString()).length, 0, 'the tracker was banned')
  })

  it('the session watchdog hands pieces whose only holder stalls to the tracker, and bans the staller long before the piece timeout', async function () {
    const { s, log, hostile, announcements, result } = await downloadBeside(['stall-before'], { pieceTimeoutMs: 10 * 60_000, stallMs: 300 }, 300)
    const [h] = hostile
    assert.equal(result.transfer?.bytesByProvider[s.tracker.host.peerId.toString()], s.data.byteLength)
    await assertBannedAndReported(log, announcements, h, 'stalled', result.transfer?.banned)
  })

  it('renewals are single-flight and carry the request id and the exact bitfield; DONE releases the slot', async function () {
    swarm = await startSwarm({ label: 'renewals', fileSize: 8 * MiB, seed: 500, tracker: { slots: 2 } })
    const s = swarm
    const announcements = await recordAnnouncements(s.tracker.host)
    // a renewal every 5 ms while the transfer runs: answers would overtake each other if they overlapped
    const peer = await s.addPeer({ swarmIntervalMs: 5 })
    const fetch = await peer.fetch(s.cid)
    await within('the download', 60_000, fetch.result)
    const mine = announcements.requests.filter(r => r.from === peer.peerId.toString())
    const renewals = mine.filter(r => r.request.type === AnnounceRequest.Type.RENEW)
    assert.ok(renewals.length >= 2, `only ${renewals.length} renewals: the test proves nothing`)
    assert.equal(announcements.maxConcurrent.get(peer.peerId.toString()), 1, 'two announcements of the peer were handled at once')
    for (const r of renewals) {
      assert.equal(r.request.requestId, fetch.requestId)
      assert.equal(r.request.bitfield.byteLength, Math.ceil(fetch.file.info.pieceCount / 8))
    }
    const done = mine.filter(r => r.request.type === AnnounceRequest.Type.DONE)
    assert.equal(done.length, 1)
    assert.equal(done[0].request.requestId, fetch.requestId)
    await waitFor('the slot to be released', () => s.tracker.queue.grants().length === 0)
  })
})

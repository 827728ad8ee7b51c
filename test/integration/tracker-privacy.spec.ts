/**
 * Privacy of the queue: `mediaswarm status` shows anyone the aggregate counts, and only the
 * operator (a PeerId listed in the tracker's --admin file, or a status run with the tracker's
 * own home) who queued what, which peers are connected and which hold what.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { hashFile, loadOrCreateIdentity, requestTicket } from '../../node/index.js'
import { runCli } from '../fixtures/cli-run.js'
import { lightClient } from '../fixtures/light-client.js'
import { removeDir, standardLibrary, tempDir, writeLibrary } from '../fixtures/network.js'
import { cliEnv, startTrackerProcess } from '../fixtures/tracker-process.js'
import type { StatusResult } from '../../cli/commands/status.js'
import type { Host } from '../../node/index.js'
import type { TrackerProcess } from '../fixtures/tracker-process.js'

describe('integration: privacy of the queue in status', function () {
  this.timeout(120_000)
  let root: string
  let tracker: TrackerProcess
  let env: NodeJS.ProcessEnv
  let holder: Host
  let waiter: Host
  let adminId: string

  before(async function () {
    root = await tempDir('privacy')
    const media = join(root, 'media')
    await writeLibrary(media, standardLibrary())
    // an operator's own peer home, listed in --admin
    adminId = peerIdFromPrivateKey(await loadOrCreateIdentity(join(root, 'operator'))).toString()
    await mkdir(join(root, 'etc'))
    await writeFile(join(root, 'etc', 'admins'), `# operators\n${adminId}\n`)
    env = cliEnv(join(root, 'base'))
    tracker = await startTrackerProcess({ media, home: join(root, 'tracker'), listen: '/ip4/127.0.0.1/tcp/0', args: ['--slots', '1', '--admin', join(root, 'etc', 'admins')], env })
    const tid = peerIdFromString(tracker.peerId)
    const cid = (await hashFile(join(media, 'big.mp4'))).cid
    holder = await lightClient()
    waiter = await lightClient()
    for (const h of [holder, waiter]) await h.dial(tracker.addresses.map(a => multiaddr(a)), { signal: AbortSignal.timeout(10_000) })
    await requestTicket(holder, tid, { cid, requestId: 'holds' })
    // the only slot is taken: this one waits (its stream stays open)
    void requestTicket(waiter, tid, { cid, requestId: 'waits', signal: AbortSignal.timeout(60_000) }).catch(() => {})
  })

  after(async function () {
    for (const h of [holder, waiter]) { try { await h?.stop() } catch {} }
    await tracker?.end('SIGINT')
    await removeDir(root)
  })

  async function status (...args: string[]): Promise<StatusResult> {
    const result = await runCli(['status', '--json', ...args], env)
    assert.equal(result.code, 0, `status ${args.join(' ')}: ${result.stderr}`)
    return JSON.parse(result.stdout) as StatusResult
  }

  it('anyone sees the counts, not who queued or is connected', async function () {
    const s = await status('--home', join(root, 'stranger'), '--tracker', tracker.addresses[0])
    assert.equal(s.operator, false)
    assert.equal(s.queue.granted, 1)
    assert.equal(s.queue.waiting, 1)
    assert.ok(s.connected >= 3, `counts connected peers (${s.connected})`)
    assert.deepEqual(s.queue.entries, [], 'no queue entries')
    assert.deepEqual(s.connectedPeers, [], 'no connected PeerIds')
    assert.ok(s.transfers.every(t => t.holders.length === 0), 'no holders')
  })

  it('a PeerId listed in --admin sees who queued what', async function () {
    const s = await status('--home', join(root, 'operator'), '--tracker', tracker.addresses[0])
    assert.equal(s.operator, true)
    assert.deepEqual(s.queue.entries.map(e => [e.peerId, e.granted]), [[holder.peerId.toString(), true], [waiter.peerId.toString(), false]])
    assert.ok(s.connectedPeers.includes(waiter.peerId.toString()))
  })

  it('status with the tracker\'s own home is the operator (and finds the tracker from that home)', async function () {
    const s = await status('--home', join(root, 'tracker'))
    assert.equal(s.operator, true)
    assert.equal(s.tracker, tracker.peerId)
    assert.equal(s.queue.entries.length, 2)
  })

  it('in text, the operator sees the queue entries and the connected peers; a stranger only counts', async function () {
    const operator = await runCli(['status', '--home', join(root, 'tracker')], env)
    assert.equal(operator.code, 0, operator.stderr)
    assert.match(operator.stdout, /PEER\s+FILE\s+STATE/)
    assert.ok(operator.stdout.includes(waiter.peerId.toString()), 'the waiting peer is listed')
    assert.match(operator.stdout, /CONNECTED PEER/)
    const stranger = await runCli(['status', '--home', join(root, 'stranger-text'), '--tracker', tracker.addresses[0]], env)
    assert.equal(stranger.code, 0, stranger.stderr)
    assert.match(stranger.stdout, /other peers connected/)
    assert.ok(!stranger.stdout.includes(waiter.peerId.toString()), 'no PeerId shown to a stranger')
  })
})

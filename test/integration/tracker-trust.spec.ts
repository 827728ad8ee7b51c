/**
 * Only real holders are named: a real tracker names a peer as a provider of a file only after
 * it was granted that file and while it is dialable; reports follow the quorum policy; DONE
 * ends a request's tickets at once and its byte counts are clamped.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import {
  AnnounceRequest, StreamReader, TRANSFER_PROTOCOL, TransferRequest, TransferResponse, announce, decodeTicket, readMessage, requestTicket, writeMessage
} from '../../node/index.js'
import { lightClient } from '../fixtures/light-client.js'
import { startNetwork, waitFor, within } from '../fixtures/network.js'
import type { Host, Peer, Ticket } from '../../node/index.js'
import type { TestNetwork } from '../fixtures/network.js'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

describe('integration: the tracker names only real holders', function () {
  this.timeout(120_000)
  let net: TestNetwork
  let trackerId: PeerId
  let cid: CID
  let seeder: Peer
  const clients: Host[] = []

  async function client (listen = false): Promise<Host> {
    const host = await lightClient({ listen })
    clients.push(host)
    await host.dial(net.tracker.addresses.map(a => multiaddr(a)), { signal: AbortSignal.timeout(10_000) })
    return host
  }

  const have = (host: Host): Promise<string> => announce(host, trackerId, { type: AnnounceRequest.Type.HAVE, cid: new Uint8Array(cid.bytes), complete: true }).then(r => r.message)
  const done = (host: Host, requestId: string, fields: Partial<AnnounceRequest> = {}): Promise<unknown> =>
    announce(host, trackerId, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(cid.bytes), requestId, success: true, ...fields })
  const report = async (host: Host, provider: string): Promise<string> =>
    (await announce(host, trackerId, { type: AnnounceRequest.Type.REPORT, cid: new Uint8Array(cid.bytes), provider, reason: 'bad-piece' })).message
  /** Presents `ticket` to the tracker's transfer server; its first answer. */
  async function hello (host: Host, ticket: Ticket): Promise<TransferResponse | undefined> {
    const stream = await host.dialProtocol(trackerId, TRANSFER_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
    try {
      await writeMessage(stream, { ticket: ticket.bytes, want: [0], cancel: [], alternatives: [], urgent: [] }, TransferRequest)
      return await readMessage(new StreamReader(stream), TransferResponse, 1 << 20, AbortSignal.timeout(10_000))
    } finally {
      stream.abort(new Error('test over'))
    }
  }

  /** A fresh ticket for `host` (released at once); the PeerIds it names. */
  async function named (host: Host, requestId: string): Promise<string[]> {
    const ticket = await requestTicket(host, trackerId, { cid, requestId, signal: AbortSignal.timeout(10_000) })
    await done(host, requestId)
    return ticket.providers.map(p => p.peerId)
  }

  before(async function () {
    net = await startNetwork({ label: 'trust', peerCount: 0 })
    trackerId = net.tracker.host.peerId
    cid = net.tracker.catalogue.findByName('big.mp4')?.cid as CID
    // the honest seeder: downloads through a grant, listens, and announces what it holds
    seeder = await net.addPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    await within('the seeder\'s download', 30_000, seeder.download(cid))
    await waitFor('the seeder to be listed', () => net.tracker.providers.providers(cid.toString()).some(p => p.peer === seeder.peerId.toString()))
  })

  after(async function () {
    await Promise.all(clients.map(async c => { try { await c.stop() } catch {} }))
    await net?.stop()
  })

  it('15 announcers without a grant are not named, and do not push the honest seeder out', async function () {
    const fakes = await Promise.all(Array.from({ length: 15 }, async () => client(true)))
    const answers = await Promise.all(fakes.map(have))
    assert.ok(answers.every(m => /only after a grant/.test(m)), `the tracker says why: ${answers[0]}`)
    const downloader = await client()
    const providers = await named(downloader, 'fresh')
    assert.deepEqual(providers, [seeder.peerId.toString(), trackerId.toString()], 'the seeder, then the tracker, and none of the fakes')
  })

  it('the first ticket names the co-downloaders already granted the file (dialable ones)', async function () {
    const [a, b, hidden] = await Promise.all([client(true), client(true), client(false)])
    await requestTicket(a, trackerId, { cid, requestId: 'co-a' })
    await requestTicket(hidden, trackerId, { cid, requestId: 'co-hidden' })
    const first = await requestTicket(b, trackerId, { cid, requestId: 'co-b' })
    const named = first.providers.map(p => p.peerId)
    assert.ok(named.includes(a.peerId.toString()), 'a, granted before and listening, is named in b\'s first ticket')
    assert.ok(!named.includes(hidden.peerId.toString()), 'a co-downloader nobody can dial is not')
    assert.equal(named[named.length - 1], trackerId.toString(), 'the tracker comes last')
    await Promise.all([done(a, 'co-a'), done(b, 'co-b'), done(hidden, 'co-hidden')])
  })

  it('a granted peer that cannot be dialled is not named', async function () {
    const hidden = await client(false)
    await named(hidden, 'hidden')
    assert.equal(await have(hidden), '', 'its holding is recorded')
    assert.ok(net.tracker.providers.providers(cid.toString()).some(p => p.peer === hidden.peerId.toString()))
    const providers = await named(await client(), 'asker')
    assert.ok(!providers.includes(hidden.peerId.toString()), 'but no ticket names it: it has no address')
  })

  it('reports: a stranger is ignored, one reporter stops seeing the seeder at once, three take it out of every ticket', async function () {
    const seederId = seeder.peerId.toString()
    const stranger = await client()
    assert.equal(await report(stranger, seederId), 'ignored', 'no grant for that file: the report does not count')
    const [r1, r2, r3] = await Promise.all([client(), client(), client()])
    for (const r of [r1, r2, r3]) await named(r, 'first')
    assert.equal(await report(r1, seederId), 'excluded')
    assert.ok(!(await named(r1, 'after-report')).includes(seederId), 'the reporter\'s next ticket leaves it out')
    assert.ok((await named(r2, 'second')).includes(seederId), 'one reporter cannot smear it for others')
    assert.ok((await named(stranger, 'stranger')).includes(seederId))
    // r1 again: still one reporter
    assert.equal(await report(r1, seederId), 'excluded')
    assert.equal(await report(r2, seederId), 'excluded')
    assert.equal(await report(r3, seederId), 'banned', 'the third distinct reporter makes a quorum')
    assert.ok(!(await named(await client(), 'newcomer')).includes(seederId), 'nobody\'s ticket names it now')
  })

  it('DONE ends the request\'s tickets at once, a renewal supersedes the oldest, and byte counts are clamped', async function () {
    const host = await client()
    const size = net.files.find(f => f.path === 'big.mp4')?.data.byteLength as number
    const first = await requestTicket(host, trackerId, { cid, requestId: 'live' })
    assert.equal(net.tracker.tickets.isLive(first), true)
    const renew = async (): Promise<Ticket> => decodeTicket((await announce(host, trackerId, { type: AnnounceRequest.Type.RENEW, cid: new Uint8Array(cid.bytes), requestId: 'live' })).ticket)
    const second = await renew()
    assert.equal(net.tracker.tickets.isLive(first), true, 'the previous ticket stays valid (a renewal answer may be lost)')
    const third = await renew()
    assert.equal(net.tracker.tickets.isLive(first), false, 'superseded by two newer ones')
    assert.equal(net.tracker.tickets.isLive(second), true)
    const before = net.tracker.stats.byFile()[cid.toString()]
    await done(host, 'live', { bytesFromPeers: Number.MAX_SAFE_INTEGER, bytesFromTracker: Number.MAX_SAFE_INTEGER })
    assert.equal(net.tracker.tickets.isLive(third), false, 'released: refused at once')
    assert.equal(net.tracker.tickets.isLive(second), false)
    const answer = await hello(host, third)
    assert.equal(answer?.type, TransferResponse.Type.REJECT, 'the tracker\'s transfer server refuses the released ticket')
    assert.match(answer?.message ?? '', /no longer valid/)
    const after = net.tracker.stats.byFile()[cid.toString()]
    assert.equal(after.servedByPeers - before.servedByPeers, size, 'clamped to the file size')
    await assert.rejects(done(host, 'live'), /Unknown request/, 'a second DONE counts nothing')
    assert.equal(net.tracker.stats.byFile()[cid.toString()].completed, after.completed)
  })
})

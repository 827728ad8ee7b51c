/**
 * The transfer server's per-peer bounds, ticket liveness and write deadline, against a real
 * server on a real host, spoken to by a hand-driven downloader.
 */
import '../../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TRANSFER_PROTOCOL, TokenBucket, TransferResponse } from '../../../../node/index.js'
import { waitFor } from '../../../fixtures/network.js'
import { Downloader, startTransferRig } from '../../../fixtures/transfer-rig.js'
import type { Ticket } from '../../../../node/index.js'
import type { TransferRig } from '../../../fixtures/transfer-rig.js'

const MiB = 1024 * 1024
const { BITFIELD, PIECE, REJECT } = TransferResponse.Type

async function bitfieldOf (d: Downloader): Promise<TransferResponse> {
  const msg = await d.next()
  assert.equal(msg?.type, BITFIELD, `the stream starts with a bitfield, got ${msg == null ? 'the end' : TransferResponse.Type[msg.type]} ${msg?.message ?? ''}`)
  return msg
}

describe('TransferServer bounds', function () {
  this.timeout(60_000)

  describe('per peer', function () {
    let rig: TransferRig

    beforeEach(async function () {
      rig = await startTransferRig({ label: 'per-peer', size: 4 * MiB, pieceSize: 256 * 1024, server: { maxStreamsPerPeer: 3 } })
    })

    afterEach(async function () {
      await rig?.stop()
    })

    it('serves at most maxStreamsPerPeer streams of one peer, over several connections; another peer is still served', async function () {
      const streams: Downloader[] = []
      for (let i = 0; i < 3; i++) {
        const d = await rig.open(await rig.ticket())
        await bitfieldOf(d)
        streams.push(d)
      }
      // a second connection from the same peer does not get it more
      const extraConnection = await rig.client.dial(rig.serverHost.getMultiaddrs()[0], { force: true, signal: AbortSignal.timeout(10_000) })
      assert.ok(rig.client.getConnections(rig.serverHost.peerId).length >= 2, 'two connections to the server')
      const stream = await extraConnection.newStream(TRANSFER_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
      const fourth = new Downloader(stream)
      await fourth.send({ ticket: (await rig.ticket()).bytes, want: [0] })
      const refused = await fourth.next()
      assert.equal(refused?.type, REJECT)
      assert.match(refused?.message ?? '', /too many transfer streams from this peer/)
      assert.equal(rig.server.servingPeer(rig.client.peerId), 3)

      const other = await rig.newClient()
      const d = await rig.open(await rig.ticket({ holder: other }), [1], other)
      await bitfieldOf(d)
      assert.equal((await d.next())?.type, PIECE, 'another peer is served while the first holds its streams')

      // once one of the three ends, the peer may open another
      streams[0].stream.abort(new Error('done'))
      await waitFor('the server to free the stream', () => rig.server.servingPeer(rig.client.peerId) === 2)
      await bitfieldOf(await rig.open(await rig.ticket()))
    })

    it('serves one stream per ticket: a second hello with the same ticket replaces the first', async function () {
      const ticket = await rig.ticket()
      const first = await rig.open(ticket)
      await bitfieldOf(first)
      const second = await rig.open(ticket)
      await bitfieldOf(second)
      const ended = await first.drain()
      assert.equal(ended.error?.name, 'StreamResetError', 'the first stream was ended by the server')
      assert.equal(rig.server.servingPeer(rig.client.peerId), 1)
      // four hellos on one ticket hold one slot, not four
      for (let i = 0; i < 4; i++) await bitfieldOf(await rig.open(ticket))
      await waitFor('one stream left', () => rig.server.servingPeer(rig.client.peerId) === 1)
      assert.equal(rig.server.serving, 1)
    })

    it('a ticket renewed on one stream takes it over from another stream serving that ticket', async function () {
      const a = await rig.ticket()
      const b = await rig.ticket()
      const first = await rig.open(a)
      await bitfieldOf(first)
      const second = await rig.open(b)
      await bitfieldOf(second)
      await second.send({ ticket: a.bytes, want: [2] })
      assert.equal((await second.next())?.type, PIECE, 'the stream that presented the ticket goes on')
      assert.equal((await first.drain()).error?.name, 'StreamResetError', 'the stream that served it before is ended')
      assert.equal(rig.server.servingPeer(rig.client.peerId), 1)
    })
  })

  describe('ticket liveness', function () {
    let rig: TransferRig
    const dead = new Set<string>()
    const key = (t: Ticket): string => Buffer.from(t.ticketId).toString('hex')
    let checks = 0

    before(async function () {
      rig = await startTransferRig({
        label: 'liveness',
        size: 4 * MiB,
        pieceSize: 256 * 1024,
        server: { isTicketLive: (t) => { checks++; return !dead.has(key(t)) } }
      })
    })

    after(async function () {
      await rig?.stop()
    })

    it('refuses a dead ticket at the hello', async function () {
      const ticket = await rig.ticket()
      dead.add(key(ticket))
      const d = await rig.open(ticket, [0])
      const { messages } = await d.drain()
      assert.deepEqual(messages.map(m => [m.type, m.message]), [[REJECT, 'Ticket no longer valid']])
      assert.equal(rig.server.serving, 0)
    })

    it('ends a stream whose ticket dies in the middle, before the next piece', async function () {
      const ticket = await rig.ticket()
      const d = await rig.open(ticket, [0])
      await bitfieldOf(d)
      assert.equal((await d.next())?.type, PIECE)
      const before = checks
      dead.add(key(ticket))
      await d.send({ want: [1, 2] })
      const { messages } = await d.drain()
      assert.deepEqual(messages.map(m => [m.type, m.message]), [[REJECT, 'Ticket no longer valid']], 'no piece after the ticket died')
      assert.ok(checks > before, 'the liveness hook was asked')
      await waitFor('the slot freed', () => rig.server.serving === 0)
    })

    it('ends a stream that presents a dead renewed ticket', async function () {
      const d = await rig.open(await rig.ticket(), [0])
      await bitfieldOf(d)
      assert.equal((await d.next())?.type, PIECE)
      const renewed = await rig.ticket()
      dead.add(key(renewed))
      await d.send({ ticket: renewed.bytes, want: [1] })
      const { messages } = await d.drain()
      assert.deepEqual(messages.map(m => [m.type, m.message]), [[REJECT, 'Ticket no longer valid']])
      await waitFor('the slot freed', () => rig.server.serving === 0)
    })
  })

  describe('rate limiter', function () {
    let rig: TransferRig
    // one piece now, the next in about 30 minutes
    const limiter = new TokenBucket({ rate: 128, burst: 256 * 1024 })

    before(async function () {
      rig = await startTransferRig({ label: 'limiter', size: 4 * MiB, pieceSize: 256 * 1024, server: { limiter } })
    })

    after(async function () {
      await rig?.stop()
    })

    it('a stream that goes away while its piece waits for the limiter leaves no waiter behind', async function () {
      const d = await rig.open(await rig.ticket(), [0, 1, 2])
      await bitfieldOf(d)
      assert.equal((await d.next())?.type, PIECE, 'the first piece goes out at once')
      await waitFor('the second piece to wait for the limiter', () => limiter.waiting === 1)
      d.stream.abort(new Error('the downloader went away'))
      await waitFor('the wait to be dropped', () => limiter.waiting === 0 && rig.server.serving === 0)
    })
  })

  describe('write deadline', function () {
    let rig: TransferRig

    before(async function () {
      // far more than the stream window (8 MiB) plus buffers: the server must block
      rig = await startTransferRig({ label: 'deadline', size: 48 * MiB, pieceSize: 1 * MiB, server: { sendStallTimeoutMs: 1000 } })
    })

    after(async function () {
      await rig?.stop()
    })

    it('ends a stream whose downloader never reads, freeing its slot (the ticket and idle time would allow hours)', async function () {
      const stream = await rig.client.dialProtocol(rig.serverHost.getMultiaddrs()[0], TRANSFER_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
      stream.pause()
      await new Downloader(stream).send({ ticket: (await rig.ticket({ ttlMs: 3_600_000 })).bytes, want: Array.from({ length: 48 }, (_, i) => i) })
      await waitFor('the server to serve it', () => rig.server.serving === 1)
      await waitFor('the server to drop the stalled stream', () => rig.server.serving === 0, 30_000)
      assert.ok(rig.reads.length < 48, `the server stopped reading pieces once the downloader stopped (${rig.reads.length} of 48 read)`)
      await waitFor('the downloader to see its stream reset', () => stream.status === 'reset' || stream.status === 'aborted', 10_000)
    })

    it('does not end a stream whose downloader reads', async function () {
      const d = await rig.open(await rig.ticket(), Array.from({ length: 48 }, (_, i) => i))
      await bitfieldOf(d)
      let pieces = 0
      for (let i = 0; i < 48; i++) {
        const msg = await d.next()
        assert.equal(msg?.type, PIECE)
        assert.equal(msg.length, MiB)
        pieces++
      }
      assert.equal(pieces, 48)
    })
  })
})


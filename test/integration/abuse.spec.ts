/**
 * Resource abuse at a real tracker: streams that never send (slow-loris), floods of streams
 * and of connections, queue streams abandoned at awkward moments, and a downloader that
 * stops reading. Each time an honest peer must still be served.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import {
  ANNOUNCE_PROTOCOL, CATALOGUE_PROTOCOL, CatalogueRequest, CatalogueResponse, FIRST_MESSAGE_TIMEOUT_MS, QUEUE_PROTOCOL, QueueRequest, QueueUpdate, TRANSFER_PROTOCOL,
  TransferRequest, createHost, encodeFrame, requestTicket
} from '../../node/index.js'
import { QUEUE_HEARTBEAT_MS } from '../../tracker/protocols/queue-handler.js'
import { lightClient } from '../fixtures/light-client.js'
import { RejectionRecorder, collectGarbage, decodeFirstFrame, probe, sleep, untilRemoteDone } from '../fixtures/fuzz.js'
import { sha256, sha256File, startNetwork, waitFor, within } from '../fixtures/network.js'
import type { Host, Ticket } from '../../node/index.js'
import type { TestNetwork } from '../fixtures/network.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** The tracker's maxInboundStreams per protocol and connection. */
const LIMITS: Record<string, number> = { [CATALOGUE_PROTOCOL]: 8, [QUEUE_PROTOCOL]: 16, [ANNOUNCE_PROTOCOL]: 8, [TRANSFER_PROTOCOL]: 32 }
const GRACE_MS = 500

function listFrame (): Uint8Array {
  return encodeFrame({ type: CatalogueRequest.Type.LIST, query: '', offset: 0, limit: 0, cid: new Uint8Array(0) }, CatalogueRequest)
}

async function newHost (): Promise<Host> {
  return createHost({ privateKey: await generateKeyPair('Ed25519') })
}

async function stopHosts (hosts: Array<Host | undefined>): Promise<void> {
  await Promise.all(hosts.map(async h => { try { await h?.stop() } catch {} }))
}

/** Resolves with when (ms since the epoch) the stream closed, or undefined if it is still open after `ms`. */
async function closedWithin (stream: Stream, ms: number): Promise<number | undefined> {
  if (stream.status !== 'open') return Date.now()
  return new Promise(resolve => {
    const timer = setTimeout(() => { stream.removeEventListener('close', onClose); resolve(undefined) }, ms)
    const onClose = (): void => { clearTimeout(timer); resolve(Date.now()) }
    stream.addEventListener('close', onClose, { once: true })
  })
}

describe('integration: abuse of the tracker', function () {
  this.timeout(180_000)
  const recorder = new RejectionRecorder()
  let net: TestNetwork
  let bigCid: CID
  let bigData: Uint8Array
  /** A second tracker with one slot, whose queue the abandonment tests fill. */
  let small: TestNetwork
  let smallId: PeerId
  let smallCid: CID
  let holderTicket: Ticket
  let waiterStartedAt = 0
  const hosts: Host[] = []

  before(async function () {
    recorder.start()
    net = await startNetwork({ label: 'abuse', peerCount: 0, tracker: { graceMs: GRACE_MS } })
    bigCid = net.tracker.catalogue.findByName('big.mp4')?.cid as CID
    bigData = net.files.find(f => f.path === 'big.mp4')?.data as Uint8Array

    small = await startNetwork({ label: 'abuse-queue', peerCount: 2, tracker: { slots: 1, graceMs: GRACE_MS } })
    smallId = await small.peers[0].connect()
    await small.peers[1].connect()
    smallCid = small.tracker.catalogue.findByName('big.mp4')?.cid as CID
    // the one slot is taken: every later request waits
    holderTicket = await requestTicket(small.peers[0].host, smallId, { cid: smallCid, requestId: 'holder' })
    // a peer that waits, then gives up (Ctrl-C); checked at the end, after the queue's heartbeat
    waiterStartedAt = Date.now()
    await requestTicket(small.peers[1].host, smallId, { cid: smallCid, requestId: 'gives-up', signal: AbortSignal.timeout(1000) })
      .then(() => { throw new Error('the waiter was granted a slot that is taken') }, (err: Error) => { if (err.name !== 'TimeoutError' && err.name !== 'AbortError') throw err })
  })

  after(async function () {
    recorder.stop()
    await stopHosts(hosts)
    await net?.stop()
    await small?.stop()
  })

  /** A fresh honest peer downloads big.mp4 (and lists the catalogue); returns how long it took. */
  async function honestDownload (what: string, network = net, timeoutMs = 30_000): Promise<number> {
    const started = Date.now()
    const peer = await network.addPeer()
    try {
      const items = await within(`${what}: list`, timeoutMs, peer.list())
      assert.equal(items.length, network.files.length, `${what}: the whole catalogue is listed`)
      const cid = network.tracker.catalogue.findByName('big.mp4')?.cid as CID
      const result = await within(`${what}: download`, timeoutMs, peer.download(cid))
      const data = network.files.find(f => f.path === 'big.mp4')?.data as Uint8Array
      assert.equal(await sha256File(result.file.dataPath), sha256(data), `${what}: the download is byte-identical`)
      return Date.now() - started
    } finally {
      await peer.stop().catch(() => {})
    }
  }

  async function connectedHost (network = net): Promise<{ host: Host, connection: Connection }> {
    const host = await newHost()
    hosts.push(host)
    const connection = await host.dial(network.tracker.addresses.map(a => multiaddr(a)), { signal: AbortSignal.timeout(10_000) })
    // a ping answered means the tracker listens for our streams: yamux closes a fresh connection
    // on which more than 10 streams arrive before that (MaxEarlyStreamsError)
    await host.services.ping.ping(connection.remotePeer, { signal: AbortSignal.timeout(10_000) })
    return { host, connection }
  }

  describe('queue streams abandoned at awkward moments', function () {
    let startedAt = 0

    before(async function () {
      // keep these tests' own heartbeats (30 s after their requests) clear of the waiter's, checked at the end
      await sleep(Math.max(0, waiterStartedAt + 3000 - Date.now()))
      startedAt = Date.now()
    })

    it('a waiting request dropped after the grace period ends its handler (nothing keeps its stream alive)', async function () {
      assert.ok(holderTicket.expiresAt > Date.now(), 'the only slot is still held')
      const { host, connection } = await connectedHost(small)
      const seen = new Set<Stream>()
      const trackerSide = async (protocol: string): Promise<Stream> => {
        const stream = await waitFor('the tracker side of the stream', () => small.tracker.host.getConnections(host.peerId)
          .flatMap(c => c.streams).find(s => s.protocol === protocol && s.status === 'open' && !seen.has(s)), 5000)
        seen.add(stream)
        return stream
      }
      // as many as one peer may queue (maxPerPeer, 8 by default)
      const N = 8
      const queueStreams: Array<WeakRef<Stream>> = []
      for (let i = 0; i < N; i++) {
        const stream = await connection.newStream(QUEUE_PROTOCOL, { signal: AbortSignal.timeout(5000) })
        const first = new Promise<Uint8Array>(resolve => {
          stream.addEventListener('message', (evt) => { resolve((evt as unknown as { data: { subarray: () => Uint8Array } }).data.subarray()) }, { once: true })
        })
        stream.send(encodeFrame({ cid: new Uint8Array(smallCid.bytes), requestId: `gives-up-${i}` }, QueueRequest))
        const update = decodeFirstFrame(await within('a position', 5000, first), QueueUpdate)
        assert.equal(update?.type, QueueUpdate.Type.POSITION, `request ${i} waits`)
        queueStreams.push(new WeakRef(await trackerSide(QUEUE_PROTOCOL)))
        // the peer gives up after its first position
        stream.abort(new Error('the peer gave up'))
      }
      // control: streams of finished catalogue requests are collected
      const catalogueStreams: Array<WeakRef<Stream>> = []
      for (let i = 0; i < 20; i++) {
        const stream = await connection.newStream(CATALOGUE_PROTOCOL, { signal: AbortSignal.timeout(5000) })
        catalogueStreams.push(new WeakRef(await trackerSide(CATALOGUE_PROTOCOL)))
        stream.send(listFrame())
        await stream.close()
        await untilRemoteDone(stream, 5000)
      }
      seen.clear()
      await sleep(GRACE_MS + 500)
      const mine = host.peerId.toString()
      assert.deepEqual(small.tracker.queue.waiting().filter(w => w.peerId === mine), [], 'the requests were dropped after the grace period')
      for (let i = 0; i < 3; i++) { collectGarbage(); await sleep(50) }
      const alive = (refs: Array<WeakRef<Stream>>): number => refs.filter(r => r.deref() != null).length
      assert.ok(alive(catalogueStreams) <= 2, `control: ${alive(catalogueStreams)} of 20 finished catalogue streams are still reachable after a gc`)
      assert.ok(alive(queueStreams) <= 1, `${alive(queueStreams)} of ${N} queue streams whose requests were dropped are still reachable after a gc: ` +
        'their handlers wait forever for a grant (the queue drops a detached request without telling its listener) and the heartbeat interval keeps them alive')
    })

    it('a request whose stream is reset as it is sent leaves no waiting entry once the grace period has passed', async function () {
      assert.ok(holderTicket.expiresAt > Date.now(), 'the only slot is still held')
      const { host, connection } = await connectedHost(small)
      const ids: string[] = []
      for (const delay of ['none', 'none', 'none', 'tick', 'tick', 'tick']) {
        const requestId = `reset-${delay}-${ids.length}`
        ids.push(requestId)
        const stream = await connection.newStream(QUEUE_PROTOCOL, { signal: AbortSignal.timeout(5000) })
        stream.send(encodeFrame({ cid: new Uint8Array(smallCid.bytes), requestId }, QueueRequest))
        if (delay === 'tick') await new Promise(resolve => setImmediate(resolve))
        stream.abort(new Error('the peer gave up'))
      }
      await sleep(GRACE_MS + 1000)
      const mine = host.peerId.toString()
      const left = small.tracker.queue.waiting().filter(w => w.peerId === mine).map(w => w.requestId)
      assert.deepEqual(left, [], `requests read from an already reset stream are never detached, so they keep their place while the peer stays connected (${left.length} of ${ids.length} left)`)
    })

    it('…and raises no unhandled rejection (it would terminate a tracker CLI process)', async function () {
      const seen = recorder.since(startedAt).filter(e => e.at < startedAt + 10_000)
      // hand the slot on: requests still queued are granted, and their handlers finish
      small.tracker.queue.release({ peerId: small.peers[0].peerId.toString(), requestId: 'holder' })
      assert.equal(seen.length, 0, `${seen.length} unhandled rejections:\n${RejectionRecorder.describe(seen)}`)
    })
  })

  describe('slow-loris: streams that never send their first message', function () {
    it('are reset by the tracker after its first-message timeout, on all four protocols at once, while an honest peer is served', async function () {
      const { connection } = await connectedHost()
      const opened: Array<{ protocol: string, variant: string, stream: Stream, at: number }> = []
      const trickles: NodeJS.Timeout[] = []
      await Promise.all(Object.entries(LIMITS).flatMap(([protocol, n]) => Array.from({ length: n }, async (_, i) => {
        const stream = await connection.newStream(protocol, { signal: AbortSignal.timeout(5000) })
        const variant = ['nothing', 'half a prefix', 'a trickle'][i % 3]
        if (variant === 'half a prefix') stream.send(Uint8Array.from([0x85]))
        if (variant === 'a trickle') {
          // a frame of 200 bytes announced, then one byte every 500 ms
          stream.send(Uint8Array.from([0xc8, 0x01]))
          const timer = setInterval(() => { try { stream.send(Uint8Array.from([0x0a])) } catch { clearInterval(timer) } }, 500)
          trickles.push(timer)
        }
        opened.push({ protocol, variant, stream, at: Date.now() })
      })))
      const closed = Promise.all(opened.map(async o => closedWithin(o.stream, FIRST_MESSAGE_TIMEOUT_MS + 3000)))
      try {
        // every limit of this connection is in use: one more catalogue stream is refused at once
        await sleep(300)
        const extra = await connection.newStream(CATALOGUE_PROTOCOL, { signal: AbortSignal.timeout(5000), maxOutboundStreams: 1000 })
        assert.ok(await untilRemoteDone(extra, 2000), 'a stream over the limit is refused at once')
        assert.equal(extra.status, 'reset')

        // meanwhile, an honest peer is served, twice, well before the slow streams time out
        const honestMs = [await honestDownload('honest peer during slow-loris #1'), await honestDownload('honest peer during slow-loris #2')]
        const oldest = Math.min(...opened.map(o => o.at))
        assert.ok(Date.now() - oldest < FIRST_MESSAGE_TIMEOUT_MS, `the honest peer was served while the slow streams were held (${honestMs.join(' + ')} ms)`)
        assert.ok(opened.every(o => o.stream.status === 'open'), 'the slow streams were still open while the honest peer was served')

        const at = await closed
        const late = opened.filter((_, i) => at[i] == null).map(o => `${o.protocol} (${o.variant})`)
        assert.deepEqual(late, [], 'every slow stream is closed by the tracker within 13 s')
        for (const [i, o] of opened.entries()) {
          const after = (at[i] as number) - o.at
          assert.equal(o.stream.status, 'reset', `${o.protocol} (${o.variant}) is reset, not left open`)
          assert.ok(after >= FIRST_MESSAGE_TIMEOUT_MS / 2 && after <= FIRST_MESSAGE_TIMEOUT_MS + 2000,
            `${o.protocol} (${o.variant}) was reset after ${after} ms: the first-message timeout is ${FIRST_MESSAGE_TIMEOUT_MS} ms and a trickle does not extend it`)
        }
      } finally {
        for (const t of trickles) clearInterval(t)
        for (const o of opened) if (o.stream.status === 'open') o.stream.abort(new Error('test over'))
      }
      // the limits are free again: the same connection gets an answer
      const out = await probe(connection, CATALOGUE_PROTOCOL, [listFrame()], { keep: 1 << 20 })
      assert.equal(decodeFirstFrame(out.data, CatalogueResponse)?.items.length, net.files.length)
    })
  })

  describe('a flood of streams from one peer', function () {
    it('200 catalogue streams held open at once: at most 8 are accepted, the rest refused, and another peer lists and downloads meanwhile', async function () {
      const { connection } = await connectedHost()
      const honest = honestDownload('honest peer during the held flood')
      const dials = await Promise.allSettled(Array.from({ length: 200 }, async () =>
        connection.newStream(CATALOGUE_PROTOCOL, { signal: AbortSignal.timeout(10_000), maxOutboundStreams: 1000 })))
      const streams = dials.flatMap(d => d.status === 'fulfilled' ? [d.value] : [])
      await sleep(500)
      const accepted = streams.filter(s => s.status === 'open')
      const refused = streams.filter(s => s.status === 'reset').length + dials.filter(d => d.status === 'rejected').length
      assert.ok(accepted.length <= LIMITS[CATALOGUE_PROTOCOL], `at most ${LIMITS[CATALOGUE_PROTOCOL]} streams accepted, got ${accepted.length}`)
      assert.ok(accepted.length >= 1, 'the limit still lets some through')
      assert.equal(accepted.length + refused, 200, 'each stream was accepted or refused')
      // the accepted ones are answered
      const answers = await Promise.all(accepted.map(async s => {
        const items: Uint8Array[] = []
        s.addEventListener('message', (evt) => { const d = (evt as unknown as { data: { subarray: () => Uint8Array } }).data; items.push(d.subarray().slice()) })
        s.send(listFrame())
        await s.close().catch(() => {})
        await untilRemoteDone(s, 5000)
        await sleep(0)
        const bytes = new Uint8Array(items.reduce((n, c) => n + c.byteLength, 0))
        let at = 0
        for (const c of items) { bytes.set(c, at); at += c.byteLength }
        return decodeFirstFrame(bytes, CatalogueResponse)?.items.length
      }))
      assert.deepEqual(answers, accepted.map(() => net.files.length))
      await within('the honest peer during the held flood', 30_000, honest)
    })

    it('200 request/response catalogue streams at once, three waves: some refused, the rest answered, another peer not held up', async function () {
      const { connection } = await connectedHost()
      const results = { answered: 0, refused: 0, other: 0 }
      const honest = (async () => {
        const ms: number[] = []
        for (let i = 0; i < 2; i++) ms.push(await honestDownload(`honest peer during the hammering flood #${i}`))
        return ms
      })()
      for (let wave = 0; wave < 3; wave++) {
        const outcomes = await Promise.all(Array.from({ length: 200 }, async () => probe(connection, CATALOGUE_PROTOCOL, [listFrame()], { keep: 1 << 20, timeoutMs: 15_000 })))
        for (const o of outcomes) {
          if (o.result === 'ended' && decodeFirstFrame(o.data, CatalogueResponse)?.items.length === net.files.length) results.answered++
          else if (o.result === 'reset' && o.bytes === 0) results.refused++
          else results.other++
        }
      }
      const honestMs = await within('the honest peer during the hammering flood', 60_000, honest)
      console.log(`      hammering flood: ${JSON.stringify(results)}; honest peer ${honestMs.join(' + ')} ms`)
      assert.equal(results.other, 0, 'every stream was either answered or refused')
      assert.ok(results.refused > 0, 'the per-connection limit refused some streams')
      assert.ok(results.answered > 0, 'and let others through')
    })
  })

  describe('a flood of connections from one host', function () {
    it('50 fresh libp2p hosts dialing at once from one address do not stop an honest peer from downloading', async function () {
      // keys first, so the dials really start together; from another loopback address than the
      // honest peers: the tracker caps connections per address (see tracker-admission.spec)
      const flood = await Promise.all(Array.from({ length: 50 }, async () => lightClient({ from: '127.0.0.2' })))
      hosts.push(...flood)
      const connectedBefore = await net.addPeer()
      await connectedBefore.connect()
      const addrs = net.tracker.addresses.map(a => multiaddr(a))
      const started = Date.now()
      const dials = Promise.allSettled(flood.map(async h => {
        const connection = await h.dial(addrs, { signal: AbortSignal.timeout(20_000) })
        return probe(connection, CATALOGUE_PROTOCOL, [listFrame()], { keep: 1 << 20, timeoutMs: 15_000 })
      }))
      // one honest peer connected before the flood, one connecting in the middle of it
      const before = within('the peer connected before the flood', 30_000, connectedBefore.download(bigCid))
      const during = honestDownload('a peer connecting during the flood')
      const [result, duringMs, outcomes] = await Promise.all([before, during, dials])
      assert.equal(await sha256File(result.file.dataPath), sha256(bigData))
      const connected = outcomes.filter(o => o.status === 'fulfilled').length
      const answered = outcomes.filter(o => o.status === 'fulfilled' && o.value.result === 'ended' && o.value.bytes > 0).length
      console.log(`      connection flood: ${connected}/50 connected, ${answered} answered, in ${Date.now() - started} ms; the peer connecting during it took ${duringMs} ms`)
      await connectedBefore.stop()
      await stopHosts(flood)
      // and after the flood, the tracker serves as before
      await honestDownload('a peer after the connection flood')
    })
  })

  describe('a downloader that stops reading', function () {
    let slow: TestNetwork
    const stalled: Stream[] = []
    let ticket: Ticket

    before(async function () {
      slow = await startNetwork({ label: 'abuse-slow-reader', peerCount: 0, tracker: { uploadSlots: 2, leaseMs: 3000 } })
    })

    after(async function () {
      for (const s of stalled) s.abort(new Error('test over'))
      await slow?.stop()
    })

    it('does not keep its transfer streams (and the upload slots) after its ticket expired', async function () {
      const { host } = await connectedHost(slow)
      const tracker = slow.tracker.host.peerId
      const cid = slow.tracker.catalogue.findByName('big.mp4')?.cid as CID
      ticket = await requestTicket(host, tracker, { cid, requestId: 'slow-reader' })
      // as many streams as the tracker has upload slots: ask for every piece, then never read
      for (let i = 0; i < 2; i++) {
        const stream = await host.dialProtocol(tracker, TRANSFER_PROTOCOL, { signal: AbortSignal.timeout(5000) })
        stream.pause()
        stream.send(encodeFrame({ ticket: ticket.bytes, want: Array.from({ length: 12 }, (_, k) => k), cancel: [], alternatives: [], urgent: [] }, TransferRequest))
        await stream.close()
        stalled.push(stream)
      }
      await sleep(Math.max(0, ticket.expiresAt - Date.now()) + 2000)
      const open = stalled.filter(s => s.status === 'open')
      assert.equal(open.length, 0, `${open.length} transfer streams of a downloader that stopped reading are still held by the tracker ${((Date.now() - ticket.expiresAt) / 1000).toFixed(1)} s after its ticket expired`)
    })

    it('another peer still downloads from the tracker', async function () {
      await honestDownload('a peer after the slow reader stalled', slow, 15_000)
    })
  })

  describe('afterwards', function () {
    it(`a peer that gave up waiting in the queue does not crash the tracker at the next heartbeat (${QUEUE_HEARTBEAT_MS / 1000} s)`, async function () {
      const heartbeat = waiterStartedAt + QUEUE_HEARTBEAT_MS
      await sleep(Math.max(0, heartbeat + 1500 - Date.now()))
      const seen = recorder.events.filter(e => e.at >= heartbeat - 500 && e.at <= heartbeat + 1500)
      assert.equal(seen.length, 0, `the waiting request's heartbeat wrote to its closed stream: ${seen.length} unhandled rejections:\n${RejectionRecorder.describe(seen)}`)
    })
  })
})

import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { CID } from 'multiformats/cid'
import {
  ANNOUNCE_PROTOCOL, AnnounceRequest, CATALOGUE_PROTOCOL, CatalogueRequest, QUEUE_PROTOCOL, QueueRequest,
  StreamReader, TRANSFER_PROTOCOL, TransferRequest, TransferResponse, announce, cidString, encodeFrame,
  loadOrCreateIdentity, readMessage, requestTicket, send, signTicket
} from '../../node/index.js'
import { pseudoRandomBytes } from '../fixtures/hosts.js'
import { sha256, sha256File, startNetwork, within } from '../fixtures/network.js'
import type { Peer, Ticket } from '../../node/index.js'
import type { TestNetwork } from '../fixtures/network.js'
import type { PeerId, PrivateKey, Stream } from '@libp2p/interface'

/** What a dialer got back on one stream. */
interface Outcome {
  /** Raw bytes received, all messages included. */
  bytes: number
  /** Transfer responses decoded (transfer protocol only). */
  messages: TransferResponse[]
  /** Set when the stream errored (reset) rather than ending cleanly. */
  error?: Error
}

const READ_DEADLINE_MS = 15_000

function countBytes (stream: Stream): () => number {
  let n = 0
  stream.addEventListener('message', (evt) => { n += (evt as unknown as { data: { byteLength: number } }).data.byteLength })
  return () => n
}

/** Sends `chunks` on a fresh stream, closes our side, then reads until the tracker ends or resets it. */
async function probe (peer: Peer, tracker: PeerId, protocol: string, chunks: Uint8Array[], options: { decodeTransfer?: boolean } = {}): Promise<Outcome> {
  const stream = await peer.host.dialProtocol(tracker, protocol, { signal: AbortSignal.timeout(5000) })
  const received = countBytes(stream)
  const reader = new StreamReader(stream)
  const messages: TransferResponse[] = []
  const deadline = AbortSignal.timeout(READ_DEADLINE_MS)
  try {
    for (const chunk of chunks) await send(stream, chunk, deadline)
    // the tracker may have reset the stream already: keep reading to see what it sent
    await stream.close({ signal: deadline }).catch(() => {})
    for (;;) {
      if (options.decodeTransfer !== true) {
        if (await reader.read(undefined, deadline) == null) break
        continue
      }
      const msg = await readMessage(reader, TransferResponse, 1024 * 1024, deadline)
      if (msg == null) break
      messages.push(msg)
      if (msg.type === TransferResponse.Type.PIECE && msg.length > 0) await reader.readExactly(msg.length, deadline)
    }
    return { bytes: received(), messages }
  } catch (err) {
    stream.abort(err as Error)
    if ((err as Error).name === 'TimeoutError') throw new Error(`the tracker neither answered nor ended the ${protocol} stream`)
    return { bytes: received(), messages, error: err as Error }
  }
}

/** A hello carrying `ticket` and asking for pieces at once, then more wants. */
function helloWith (ticket: Uint8Array): Uint8Array[] {
  return [
    encodeFrame({ ticket: new Uint8Array(ticket), want: [0, 1, 2], cancel: [], alternatives: [], urgent: [] }, TransferRequest),
    encodeFrame({ ticket: new Uint8Array(0), want: [3, 4, 5], cancel: [], alternatives: [], urgent: [] }, TransferRequest)
  ]
}

function assertNoPieces (what: string, outcome: Outcome, reason?: string): void {
  const types = outcome.messages.map(m => String(m.type))
  assert.ok(!outcome.messages.some(m => m.type === TransferResponse.Type.PIECE), `${what}: no PIECE message (got ${types.join(',')})`)
  assert.ok(outcome.bytes < 4096, `${what}: ${outcome.bytes} bytes came back, a piece is 256 KiB`)
  const rejected = outcome.messages.length === 1 && outcome.messages[0].type === TransferResponse.Type.REJECT
  const reset = outcome.messages.length === 0 && outcome.error != null
  assert.ok(rejected || reset, `${what}: expected one REJECT or a reset, got [${types.join(',')}] ${outcome.error?.name ?? 'clean end'}`)
  if (rejected && reason != null) assert.match(outcome.messages[0].message, new RegExp(reason), `${what}: the reason is given`)
}

describe('integration: hostile input at the tracker', function () {
  let net: TestNetwork
  let trackerId: PeerId
  let trackerKey: PrivateKey
  let cid: CID
  let mallory: Peer
  let victim: Peer

  before(async function () {
    net = await startNetwork({ label: 'hostile', peerCount: 2 })
    ;[mallory, victim] = net.peers
    trackerId = await mallory.connect()
    await victim.connect()
    // the test reads the tracker's own key from its home to forge what only it could sign
    trackerKey = await loadOrCreateIdentity(join(net.root, 'tracker'))
    assert.equal(trackerKey.publicKey.toString(), trackerId.publicKey?.toString())
    cid = CID.parse(cidString(await victim.resolve('big.mp4')))
  })

  after(async function () {
    await net?.stop()
  })

  /** A newcomer downloads big.mp4 and it matches the source. */
  async function honestDownloadWorks (): Promise<void> {
    const newcomer = await net.addPeer()
    const result = await within('an honest download', 30_000, newcomer.download(cid))
    const big = net.files.find(f => f.path === 'big.mp4')
    assert.equal(await sha256File(result.file.dataPath), sha256(big?.data ?? new Uint8Array()))
    assert.equal((await newcomer.list()).length, net.files.length)
  }

  describe('a forged or misused ticket gets no piece', function () {
    let victimTicket: Ticket

    before(async function () {
      victimTicket = await requestTicket(victim.host, trackerId, { cid, requestId: 'victim' })
    })

    after(async function () {
      await announce(victim.host, trackerId, {
        type: AnnounceRequest.Type.DONE, cid: new Uint8Array(cid.bytes), ticketId: victimTicket.ticketId, success: false
      }).catch(() => {})
    })

    it('signed by another key', async function () {
      const forger = await generateKeyPair('Ed25519')
      const forged = await signTicket(forger, { cid, holder: mallory.peerId, expiresAt: Date.now() + 60_000, providers: [] }, trackerId.toString())
      assertNoPieces('other key', await probe(mallory, trackerId, TRANSFER_PROTOCOL, helloWith(forged.bytes), { decodeTransfer: true }), 'bad signature')
    })

    it('issued to another peer', async function () {
      assert.equal(victimTicket.holder, victim.peerId.toString())
      assertNoPieces('stolen', await probe(mallory, trackerId, TRANSFER_PROTOCOL, helloWith(victimTicket.bytes), { decodeTransfer: true }), 'not the holder')
    })

    it('expired, even though the tracker signed it', async function () {
      const now = Date.now()
      const expired = await signTicket(trackerKey, { cid, holder: mallory.peerId, issuedAt: now - 120_000, expiresAt: now - 1000, providers: [] }, trackerId.toString())
      assertNoPieces('expired', await probe(mallory, trackerId, TRANSFER_PROTOCOL, helloWith(expired.bytes), { decodeTransfer: true }), 'expired')
    })

    it('garbage instead of a ticket', async function () {
      assertNoPieces('garbage ticket', await probe(mallory, trackerId, TRANSFER_PROTOCOL, helloWith(pseudoRandomBytes(600, 5)), { decodeTransfer: true }), 'malformed')
      assertNoPieces('garbage bytes', await probe(mallory, trackerId, TRANSFER_PROTOCOL, [pseudoRandomBytes(3000, 6)], { decodeTransfer: true }))
    })

    it('served nothing to the forgers, and an honest peer still downloads', async function () {
      assert.equal(net.tracker.stats.totalServedByTracker, 0)
      await honestDownloadWorks()
      assert.ok(net.tracker.stats.totalServedByTracker >= 3 * 1024 * 1024)
    })

    it('(control) a ticket of its own gets the pieces it asks for, those in the hello included', async function () {
      const own = await requestTicket(mallory.host, trackerId, { cid, requestId: 'mallory' })
      try {
        const outcome = await probe(mallory, trackerId, TRANSFER_PROTOCOL, helloWith(own.bytes), { decodeTransfer: true })
        assert.equal(outcome.messages[0]?.type, TransferResponse.Type.BITFIELD)
        assert.ok(outcome.messages.some(m => m.type === TransferResponse.Type.PIECE && m.index === 3))
        assert.throws(() => { assertNoPieces('own ticket', outcome) })
        // the hello is a TransferRequest: the pieces it asks for must be served like any others
        const served = outcome.messages.filter(m => m.type === TransferResponse.Type.PIECE).map(m => m.index)
        assert.deepEqual(served, [0, 1, 2, 3, 4, 5], 'pieces wanted in the hello are served too')
      } finally {
        await announce(mallory.host, trackerId, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(cid.bytes), ticketId: own.ticketId, success: true })
      }
    })
  })

  describe('malformed messages abort only their stream', function () {
    const requests: Record<string, Uint8Array> = {
      [CATALOGUE_PROTOCOL]: encodeFrame({ type: CatalogueRequest.Type.LIST, query: 'a query long enough to cut', offset: 0, limit: 0, cid: new Uint8Array(0) }, CatalogueRequest),
      [QUEUE_PROTOCOL]: encodeFrame({ cid: new Uint8Array(36).fill(1), requestId: 'a request id long enough to cut' }, QueueRequest),
      [ANNOUNCE_PROTOCOL]: encodeFrame({ type: AnnounceRequest.Type.HAVE, cid: new Uint8Array(36).fill(2), complete: true, ranges: [], ticketId: new Uint8Array(0), bytesFromTracker: 0, bytesFromPeers: 0, success: false, provider: '', reason: '', requestId: '', bitfield: new Uint8Array(0), reachability: '' }, AnnounceRequest),
      [TRANSFER_PROTOCOL]: encodeFrame({ ticket: new Uint8Array(200).fill(3), want: [1, 2], cancel: [], alternatives: [], urgent: [] }, TransferRequest)
    }
    const cases: Array<[string, (protocol: string) => Uint8Array[]]> = [
      // a prefix announcing 1 GiB, then a little of it
      ['an oversize length prefix', () => [Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x04]), new Uint8Array(100)]],
      ['a truncated frame', (protocol) => [requests[protocol].subarray(0, Math.floor(requests[protocol].byteLength / 2))]],
      ['a frame that is not protobuf', () => [Uint8Array.from([6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]],
      ['random garbage', () => [pseudoRandomBytes(5000, 77)]],
      ['nothing at all', () => []]
    ]

    for (const protocol of Object.keys(requests)) {
      for (const [name, chunks] of cases) {
        it(`${protocol}: ${name}`, async function () {
          const connection = mallory.host.getConnections(trackerId)[0]
          assert.ok(connection != null, 'mallory is connected')
          const outcome = await probe(mallory, trackerId, protocol, chunks(protocol))
          assert.equal(outcome.bytes, 0, `no response bytes (stream ${outcome.error?.name ?? 'ended cleanly'})`)
          // the tracker dropped the stream, not the connection
          assert.equal(connection.status, 'open')
          assert.ok(mallory.host.getConnections(trackerId).includes(connection))
        })
      }
    }

    it('the tracker keeps serving the catalogue and downloads, and queued nothing', async function () {
      assert.deepEqual(net.tracker.queue.waiting(), [])
      const items = await mallory.list()
      assert.equal(items.length, net.files.length)
      await honestDownloadWorks()
    })
  })

  describe('bad piece requests from a ticket holder', function () {
    let small: TestNetwork

    before(async function () {
      small = await startNetwork({ label: 'hostile-slots', peerCount: 1, tracker: { uploadSlots: 2 } })
    })

    after(async function () {
      await small?.stop()
    })

    it('abort that stream without using up an upload slot', async function () {
      const attacker = small.peers[0]
      const tracker = await attacker.connect()
      const bigCid = CID.parse(cidString(await attacker.resolve('big.mp4')))
      const own = await requestTicket(attacker.host, tracker, { cid: bigCid, requestId: 'attacker' })
      // more often than there are upload slots: a hello asking for a piece that does not exist
      for (let i = 0; i < 3; i++) {
        const hello = encodeFrame({ ticket: new Uint8Array(own.bytes), want: [1_000_000], cancel: [], alternatives: [], urgent: [] }, TransferRequest)
        const outcome = await probe(attacker, tracker, TRANSFER_PROTOCOL, [hello], { decodeTransfer: true })
        assert.ok(!outcome.messages.some(m => m.type === TransferResponse.Type.PIECE), 'no piece for a bad request')
      }
      await announce(attacker.host, tracker, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(bigCid.bytes), ticketId: own.ticketId, success: false })
      const newcomer = await small.addPeer()
      const result = await within('a download after the bad requests', 30_000, newcomer.download(bigCid))
      assert.equal(await sha256File(result.file.dataPath), sha256(small.files[0].data))
    })
  })
})

import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import {
  AnnounceRequest, PieceStore, TokenBucket, TransferResponse, announce, hashFile, pieceLength, pieceOffset, readRange, requestTicket
} from '../../../node/index.js'
import { pseudoRandomBytes } from '../../fixtures/hosts.js'
import { MiB, removeDir, startNetwork, tempDir, waitFor, within } from '../../fixtures/network.js'
import { openTransfer } from '../../fixtures/transfer-rig.js'
import type { Fetch, StoredFile } from '../../../node/index.js'
import type { TestNetwork } from '../../fixtures/network.js'

const PIECE = 256 * 1024

/** Collects an async iterable into one buffer. */
async function collect (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = []
  for await (const chunk of chunks) out.push(chunk)
  return Buffer.concat(out)
}

/** A tracker serving one `size`-byte movie at `rate` bytes/s, started before a describe block's tests and stopped after them. */
interface Movie { data: Buffer, net: TestNetwork, cid: Awaited<ReturnType<typeof hashFile>>['cid'] }

/** Registers the hooks that start and stop {@link Movie}'s network; its `net` and `cid` are set once `before` has run. */
function serveMovie (label: string, size: number, rate: number, seed: number): Movie {
  const movie = { data: Buffer.from(pseudoRandomBytes(size, seed)) } as Movie
  before(async function () {
    movie.net = await startNetwork({
      label,
      peerCount: 0,
      files: [{ path: 'movie.mp4', data: movie.data, mime: 'video/mp4' }],
      tracker: { limiter: new TokenBucket({ rate }) }
    })
    movie.cid = (await hashFile(join(movie.net.mediaDir, 'movie.mp4'))).cid
  })
  after(async function () {
    await movie.net?.stop()
  })
  return movie
}

describe('node/streaming: readRange over a local store', function () {
  // 5 pieces and 1000 bytes: the last piece is short
  const SIZE = 5 * PIECE + 1000
  const data = Buffer.from(pseudoRandomBytes(SIZE, 31))
  let dir: string
  let store: PieceStore
  let file: StoredFile

  /** Stores piece `i` (the test plays the verified download). */
  async function put (i: number): Promise<void> {
    const start = pieceOffset(file.info.manifest, i)
    await file.writePiece(i, data.subarray(start, start + pieceLength(file.info.manifest, i)))
  }

  beforeEach(async function () {
    dir = await tempDir('range-reader')
    await writeFile(join(dir, 'source.bin'), data)
    store = new PieceStore({ dir: join(dir, 'store'), logger: defaultLogger() })
    file = await store.open(await hashFile(join(dir, 'source.bin')))
    assert.equal(file.info.pieceCount, 6)
  })

  afterEach(async function () {
    await store?.close()
    await removeDir(dir)
  })

  it('throws a RangeError for a range outside the file, before reading anything', async function () {
    for (const [start, end] of [[-1, 10], [0, SIZE + 1], [10, 9], [SIZE + 1, SIZE + 2]]) {
      await assert.rejects(collect(readRange(file, start, end)), (err: Error) => {
        assert.equal(err.name, 'RangeError', `${start}-${end}`)
        assert.match(err.message, new RegExp(`${start}-${end}`))
        return true
      })
    }
  })

  it('yields nothing for an empty range, and the whole file for 0-SIZE', async function () {
    for (let i = 0; i < file.info.pieceCount; i++) await put(i)
    assert.equal((await collect(readRange(file, 7, 7))).length, 0)
    assert.equal((await collect(readRange(file, SIZE, SIZE))).length, 0)
    assert.ok((await collect(readRange(file, 0, SIZE))).equals(data))
  })

  it('yields exactly the bytes of ranges across piece boundaries, in chunks no larger than chunkSize', async function () {
    for (let i = 0; i < file.info.pieceCount; i++) await put(i)
    const ranges = [[0, 1], [PIECE - 1, PIECE + 1], [PIECE - 7, 3 * PIECE + 7], [SIZE - 1, SIZE], [5 * PIECE, SIZE], [123, SIZE - 456]]
    for (const [start, end] of ranges) {
      const sizes: number[] = []
      const chunks: Uint8Array[] = []
      for await (const chunk of readRange(file, start, end, { chunkSize: 10_000 })) {
        sizes.push(chunk.length)
        chunks.push(chunk)
      }
      assert.ok(Buffer.concat(chunks).equals(data.subarray(start, end)), `${start}-${end}`)
      assert.ok(sizes.every(n => n > 0 && n <= 10_000), `chunk sizes of ${start}-${end}: ${sizes.join(',')}`)
    }
  })

  it('waits for a missing piece, says which one it waits for, and goes on once it is stored', async function () {
    await put(0)
    const focus: Array<number | undefined> = []
    const reading = collect(readRange(file, PIECE - 10, 2 * PIECE + 10, { onFocus: (p) => focus.push(p) }))
    // it reads piece 0's tail, then waits on piece 1
    await waitFor('the reader to wait for piece 1', () => focus.includes(1))
    assert.deepEqual(focus, [0, 1])
    await put(2) // out of order: still waiting for 1
    await put(1)
    const bytes = await within('the read to finish', 10_000, reading)
    assert.ok(bytes.equals(data.subarray(PIECE - 10, 2 * PIECE + 10)))
    assert.deepEqual(focus, [0, 1, 2, undefined])
  })

  it('stops waiting when its signal aborts, and clears its focus', async function () {
    const controller = new AbortController()
    const focus: Array<number | undefined> = []
    const reading = collect(readRange(file, 3 * PIECE, 4 * PIECE, { signal: controller.signal, onFocus: (p) => focus.push(p) }))
    await waitFor('the reader to wait for piece 3', () => focus.includes(3))
    const reason = new Error('seeked away')
    controller.abort(reason)
    await assert.rejects(within('the aborted read to settle', 10_000, reading), (err) => err === reason)
    assert.deepEqual(focus, [3, undefined])
  })
})

describe('node/streaming: reading while downloading from a rate-limited tracker', function () {
  this.timeout(120_000)
  /** 16 MiB at 2 MiB/s: the whole file takes about 8 s. */
  const SIZE = 16 * MiB
  const RATE = 2 * MiB
  const movie = serveMovie('range-reader-net', SIZE, RATE, 41)

  it('reads the last 256 KiB long before the whole file is there', async function () {
    const { net, cid, data } = movie
    const peer = await net.addPeer()
    try {
      const fetch = await peer.fetch(cid)
      const { pieceCount } = fetch.file.info
      assert.equal(pieceCount, SIZE / PIECE)
      const bytes = await within('the last piece to be read', 30_000, collect(fetch.read(SIZE - PIECE, SIZE)))
      const have = fetch.file.bitfield.count
      assert.ok(bytes.equals(data.subarray(SIZE - PIECE)), 'the last 256 KiB differ from the file')
      // at 2 MiB/s the whole file takes ~8 s; the tail came first, with a few pieces in flight
      assert.ok(have <= pieceCount / 4, `${have} of ${pieceCount} pieces were stored by the time the last one was read`)
      assert.notEqual(fetch.state.phase, 'complete')
    } finally {
      await peer.stop()
    }
  })

  it('lets a second reader seek to 90 % and get its bytes while most pieces are still missing', async function () {
    const { net, cid, data } = movie
    const peer = await net.addPeer()
    const playing = new AbortController()
    try {
      const fetch: Fetch = await peer.fetch(cid)
      const { pieceCount } = fetch.file.info
      // reader A plays from the start (its lookahead alone is 8 MiB: half the file)
      const aChunks: Uint8Array[] = []
      let aBytes = 0
      const a = (async () => {
        for await (const chunk of fetch.read(0, SIZE, playing.signal)) { aChunks.push(chunk); aBytes += chunk.length }
      })()
      a.catch(() => {})
      await waitFor('reader A to get its first bytes', () => aBytes > 0, 30_000)
      const seekStart = Math.floor(SIZE * 0.9)
      const seekEnd = seekStart + 1 * MiB
      const firstSeekPiece = Math.floor(seekStart / PIECE)
      assert.equal(fetch.file.has(firstSeekPiece), false, 'the piece at 90 % was there before the seek')
      // reader B: the user seeks to 90 %
      const b = await within('the range at 90 % to be read', 30_000, collect(fetch.read(seekStart, seekEnd)))
      const have = fetch.file.bitfield.count
      assert.ok(b.equals(data.subarray(seekStart, seekEnd)), 'the bytes at 90 % differ from the file')
      assert.ok(have < pieceCount / 2, `${have} of ${pieceCount} pieces were stored by the time the range at 90 % was read`)
      assert.notEqual(fetch.state.phase, 'complete')
      // A kept playing correctly meanwhile, and stops when asked
      playing.abort(new Error('stopped'))
      await assert.rejects(within('reader A to stop', 10_000, a), /stopped/)
      assert.ok(Buffer.concat(aChunks).equals(data.subarray(0, aBytes)), 'reader A read wrong bytes')
    } finally {
      playing.abort()
      await peer.stop()
    }
  })
})

describe('node/streaming: a seek to a piece the tracker served before (super-seeding)', function () {
  this.timeout(120_000)
  /** 32 MiB at 8 MiB/s: the whole file takes about 4 s. */
  const SIZE = 32 * MiB
  const RATE = 8 * MiB
  const movie = serveMovie('range-reader-served', SIZE, RATE, 43)

  /** Has the tracker send `piece` to another peer, which then leaves: the tracker counts it served once. */
  async function serveOnce (piece: number): Promise<void> {
    const { net, cid } = movie
    const other = await net.addPeer()
    try {
      const trackerId = net.tracker.host.peerId
      await other.host.dial(net.tracker.addresses.map(a => multiaddr(a)), { signal: AbortSignal.timeout(10_000) })
      const ticket = await requestTicket(other.host, trackerId, { cid, requestId: `served-once-${piece}` })
      const d = await openTransfer(other.host, net.tracker.host, ticket, [piece])
      const { msg } = await d.until(TransferResponse.Type.PIECE)
      assert.equal(msg?.index, piece)
      assert.equal(msg?.length, PIECE)
      d.stream.abort(new Error('served once'))
      await announce(other.host, trackerId, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(cid.bytes), ticketId: ticket.ticketId, success: false, bytesFromTracker: 0, bytesFromPeers: 0 })
    } finally {
      await other.stop()
    }
  }

  it('gets the range at 90 % while most pieces are still missing, though its first piece went to another peer before', async function () {
    const { net, cid, data } = movie
    const seekStart = Math.floor(SIZE * 0.9)
    const seekEnd = seekStart + 1 * MiB
    const firstSeekPiece = Math.floor(seekStart / PIECE)
    // every other piece was never sent: the tracker's least-served order alone would send
    // this one after all of them, however long a reader waits for it
    await serveOnce(firstSeekPiece)
    const peer = await net.addPeer()
    const playing = new AbortController()
    try {
      const fetch: Fetch = await peer.fetch(cid)
      const { pieceCount } = fetch.file.info
      assert.equal(pieceCount, SIZE / PIECE)
      // reader A plays from the start; its pieces are urgent too
      let aBytes = 0
      const a = (async () => {
        for await (const chunk of fetch.read(0, SIZE, playing.signal)) aBytes += chunk.length
      })()
      a.catch(() => {})
      await waitFor('reader A to get its first bytes', () => aBytes > 0, 30_000)
      assert.equal(fetch.file.has(firstSeekPiece), false, 'the piece at 90 % was there before the seek')
      const b = await within('the range at 90 % to be read', 60_000, collect(fetch.read(seekStart, seekEnd)))
      const have = fetch.file.bitfield.count
      assert.ok(b.equals(data.subarray(seekStart, seekEnd)), 'the bytes at 90 % differ from the file')
      assert.ok(have < pieceCount / 2, `${have} of ${pieceCount} pieces were stored by the time the range at 90 % was read`)
    } finally {
      playing.abort()
      await peer.stop()
    }
  })
})

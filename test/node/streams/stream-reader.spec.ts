import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { StreamReader, send, readMessage, writeMessage, encodeFrame } from '../../../node/streams/index.js'
import { QueueRequest } from '../../../node/protocols/queue/pb/queue.js'
import { pseudoRandomBytes, startHost } from '../../fixtures/hosts.js'
import { MAX_STREAM_WINDOW } from '../../../node/host/index.js'
import type { Host } from '../../../node/host/index.js'
import type { Stream } from '@libp2p/interface'

const PROTOCOL = '/mediaswarm-test/bytes/1.0.0'
const MiB = 1024 * 1024

function sha (data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

async function sendAll (stream: Stream, data: Uint8Array, chunk = 256 * 1024): Promise<number> {
  let maxQueued = 0
  for (let off = 0; off < data.byteLength; off += chunk) {
    await send(stream, data.subarray(off, off + chunk))
    maxQueued = Math.max(maxQueued, stream.writeBufferLength)
  }
  return maxQueued
}

describe('StreamReader over real libp2p streams', function () {
  let a: Host
  let b: Host
  let serve: (stream: Stream) => Promise<void>

  before(async function () {
    a = await startHost()
    b = await startHost()
    await b.handle(PROTOCOL, async (stream) => {
      try {
        await serve(stream)
      } catch (err) {
        console.error('serve failed', err) // eslint-disable-line no-console
        stream.abort(err as Error)
      }
    })
  })

  after(async function () {
    await Promise.all([a.stop(), b.stop()])
  })

  it('reads exactly the bytes sent, across chunk boundaries', async function () {
    const payload = pseudoRandomBytes(3 * MiB + 12345)
    serve = async (stream) => {
      await sendAll(stream, payload, 100_000)
      await stream.close()
    }
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    const reader = new StreamReader(stream)
    const head = await reader.readExactly(7)
    const parts: Uint8Array[] = [head]
    for (;;) {
      const chunk = await reader.read(65_537)
      if (chunk == null) break
      assert.ok(chunk.byteLength <= 65_537)
      parts.push(chunk)
    }
    assert.equal(sha(Buffer.concat(parts)), sha(payload))
    assert.equal(reader.done, true)
  })

  it('ends correctly when the remote closed before reading started', async function () {
    const payload = pseudoRandomBytes(200_000, 7)
    serve = async (stream) => {
      await sendAll(stream, payload)
      await stream.close()
    }
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    await stream.close() // we send nothing
    await sleep(300) // the remote has sent everything and half-closed by now
    const reader = new StreamReader(stream)
    const all = await reader.readExactly(payload.byteLength, AbortSignal.timeout(5000))
    assert.equal(sha(all), sha(payload))
    assert.equal(await reader.read(undefined, AbortSignal.timeout(5000)), undefined)
  })

  it('applies backpressure to a fast sender when the consumer is slow, and loses no byte', async function () {
    const payload = pseudoRandomBytes(48 * MiB, 3)
    let senderMaxQueued = 0
    serve = async (stream) => {
      senderMaxQueued = await sendAll(stream, payload)
      await stream.close()
    }
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    const reader = new StreamReader(stream, { highWaterMark: MiB })
    const hash = createHash('sha256')
    let received = 0
    let maxBuffered = 0
    for (;;) {
      const chunk = await reader.read(256 * 1024)
      if (chunk == null) break
      hash.update(chunk)
      received += chunk.byteLength
      maxBuffered = Math.max(maxBuffered, reader.buffered + stream.readBufferLength)
      if (received < 8 * MiB) await sleep(2) // slow consumer at first
    }
    assert.equal(received, payload.byteLength)
    assert.equal(hash.digest('hex'), sha(payload))
    // bounded by our high-water mark plus two yamux windows (one granted before a pause,
    // one re-granted by the muxer's resume), far below the 48 MiB sent
    assert.ok(maxBuffered <= MiB + 2 * MAX_STREAM_WINDOW, `receiver buffered ${maxBuffered} bytes`)
    assert.ok(senderMaxQueued <= MAX_STREAM_WINDOW, `sender queued ${senderMaxQueued} bytes`)
  })

  it('does not get the stream reset while the consumer has not read for a while', async function () {
    const payload = pseudoRandomBytes(24 * MiB, 5)
    serve = async (stream) => {
      await sendAll(stream, payload)
      await stream.close()
    }
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    const reader = new StreamReader(stream)
    await sleep(500) // several MiB arrive meanwhile (libp2p's default would reset at 4 MiB)
    const all = await reader.readExactly(payload.byteLength, AbortSignal.timeout(20_000))
    assert.equal(sha(all), sha(payload))
  })

  it('rejects a read with the stream error when the remote resets', async function () {
    serve = async (stream) => {
      stream.send(new Uint8Array(10))
      await sleep(50)
      stream.abort(new Error('boom'))
    }
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    const reader = new StreamReader(stream)
    await assert.rejects(reader.readExactly(1000, AbortSignal.timeout(5000)), (err: Error) => err.name === 'StreamResetError')
  })

  it('gives up on a silent remote when the signal times out', async function () {
    serve = async () => { await sleep(2000) }
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    const reader = new StreamReader(stream)
    await assert.rejects(reader.readExactly(1, AbortSignal.timeout(200)), (err: Error) => err.name === 'TimeoutError')
    stream.abort(new Error('done'))
  })

  it('reads framed messages, refusing oversize prefixes before reading them', async function () {
    serve = async (stream) => {
      await writeMessage(stream, { cid: new Uint8Array([1, 2, 3]), requestId: 'r1' }, QueueRequest)
      // a prefix announcing 1 GiB
      stream.send(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x04]))
      await stream.close()
    }
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    const reader = new StreamReader(stream)
    const msg = await readMessage(reader, QueueRequest, 1024)
    assert.equal(msg?.requestId, 'r1')
    assert.deepEqual([...(msg?.cid ?? [])], [1, 2, 3])
    await assert.rejects(readMessage(reader, QueueRequest, 1024), (err: Error) => err.name === 'FrameTooLargeError')
  })

  it('reads frames whole when queued and across any split of prefix and body, in order', async function () {
    const frames = Array.from({ length: 1000 }, (_, i) => encodeFrame({ cid: new Uint8Array(i % 200), requestId: `r${i}` }, QueueRequest))
    const all = Buffer.concat(frames)
    serve = async (stream) => {
      // chunks of 1..37 bytes, sent in bursts: some frames arrive whole, others in pieces
      let seed = 7
      for (let at = 0; at < all.byteLength;) {
        seed = (seed * 1103515245 + 12345) >>> 0
        const n = 1 + (seed % 37)
        stream.send(all.subarray(at, at + n))
        at += n
        if (seed % 29 === 0) await sleep(1)
      }
      await stream.close()
    }
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    const reader = new StreamReader(stream)
    for (let i = 0; i < frames.length; i++) {
      const msg = await readMessage(reader, QueueRequest, 1024, AbortSignal.timeout(5000))
      assert.equal(msg?.requestId, `r${i}`)
      assert.equal(msg?.cid.byteLength, i % 200)
    }
    assert.equal(await readMessage(reader, QueueRequest, 1024, AbortSignal.timeout(5000)), undefined)
  })

  it('refuses an oversize prefix on the fast path too, without waiting for its body', async function () {
    serve = async (stream) => {
      // a prefix announcing 2000 bytes, queued with a little of its body
      stream.send(Uint8Array.from([0xd0, 0x0f, 1, 2, 3]))
    }
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    const reader = new StreamReader(stream)
    await sleep(100)
    await assert.rejects(readMessage(reader, QueueRequest, 1024, AbortSignal.timeout(5000)), (err: Error) => err.name === 'FrameTooLargeError')
    stream.abort(new Error('done'))
  })

  it('reports malformed and truncated messages as protocol errors, and a clean end as undefined', async function () {
    let mode = 0
    serve = async (stream) => {
      if (mode === 0) stream.send(Uint8Array.from([3, 0xff, 0xff, 0xff]))
      if (mode === 1) stream.send(encodeFrame({ cid: new Uint8Array(50), requestId: 'x' }, QueueRequest).subarray(0, 20))
      await stream.close()
    }
    for (const [m, expected] of [[0, 'ProtocolError'], [1, 'UnexpectedEndError'], [2, undefined]] as const) {
      mode = m
      const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
      const reader = new StreamReader(stream)
      if (expected == null) {
        assert.equal(await readMessage(reader, QueueRequest, 1024, AbortSignal.timeout(5000)), undefined)
      } else {
        await assert.rejects(readMessage(reader, QueueRequest, 1024, AbortSignal.timeout(5000)), (err: Error) => err.name === expected)
      }
    }
  })
})

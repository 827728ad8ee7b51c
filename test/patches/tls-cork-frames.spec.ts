/**
 * patches/@libp2p+tls+*.patch, write part: the chunks of one send on the encrypted
 * connection (a yamux frame: its 12-byte header and its data) reach the TLS socket as one
 * write (one SSL_write, one socket write), not a tiny write for the header and another for
 * the data. Fails when the patch is missing (the header is then written alone).
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TLSSocket } from 'node:tls'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createHost } from '../../node/host/index.js'
import type { Host } from '../../node/host/index.js'
import type { Connection } from '@libp2p/interface'

const PROTOCOL = '/mediaswarm-test/tls-cork/1'
const PAYLOAD = 100_003

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** The TLS socket under a connection's muxer (libp2p keeps them private). */
const tlsSocketOf = (c: Connection): TLSSocket => (c as any).muxer.maConn.socket

describe('patch: @libp2p/tls writes each muxer frame to TLS at once', function () {
  this.timeout(30_000)
  let hosts: Host[] = []

  afterEach(async function () {
    await Promise.all(hosts.map(async h => { await h.stop() }))
    hosts = []
  })

  it('the frame header and its data go to the TLS socket in one write call', async function () {
    const listener = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    const dialer = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    hosts.push(listener, dialer)
    let received = 0
    const done = new Promise<void>((resolve) => {
      void listener.handle(PROTOCOL, async (stream) => {
        for await (const chunk of stream) received += chunk.byteLength
        resolve()
      })
    })
    const stream = await dialer.dialProtocol(listener.getMultiaddrs()[0], PROTOCOL)
    const connection = dialer.getConnections()[0]
    const socket = tlsSocketOf(connection)
    assert.ok(socket instanceof TLSSocket)
    // every write call the TLS socket makes, as the sizes of the chunks it carries
    const calls: number[][] = []
    const s = socket as any
    const write = s._write
    const writev = s._writev
    s._write = function (chunk: Uint8Array, encoding: string, cb: () => void) { calls.push([chunk.byteLength]); return write.call(this, chunk, encoding, cb) }
    s._writev = function (chunks: Array<{ chunk: Uint8Array }>, cb: () => void) { calls.push(chunks.map(c => c.chunk.byteLength)); return writev.call(this, chunks, cb) }
    // each frame sent while the socket is idle (a busy socket would batch them anyway)
    for (let i = 0; i < 3; i++) {
      while (socket.writableLength > 0) await sleep(10)
      await sleep(50)
      stream.send(new Uint8Array(PAYLOAD))
    }
    await stream.close()
    await done
    assert.equal(received, 3 * PAYLOAD)
    const withData = calls.filter(sizes => sizes.includes(PAYLOAD))
    assert.equal(withData.length, 3, `each frame's data went out in one call: ${JSON.stringify(calls)}`)
    for (const sizes of withData) {
      assert.equal(sizes[sizes.indexOf(PAYLOAD) - 1], 12, `its yamux header is in the same call: ${JSON.stringify(calls)}`)
    }
  })
})

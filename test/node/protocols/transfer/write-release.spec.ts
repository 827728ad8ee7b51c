/**
 * The write-release probe reads libp2p internals (the connection's muxer, the muxer's
 * encrypted connection, its TLS socket): this checks on real hosts that they are where the
 * probe looks, that it answers true once a stream's bytes were consumed and false while
 * they are still queued, and that it declines (undefined) on a Noise connection.
 */
import '../../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createHost } from '../../../../node/host/index.js'
import { writeReleaseProbe } from '../../../../node/protocols/transfer/write-release.js'
import { startHost } from '../../../fixtures/hosts.js'
import { waitFor } from '../../../fixtures/network.js'
import type { Host } from '../../../../node/index.js'
import type { Stream } from '@libp2p/interface'

const PROTOCOL = '/mediaswarm-test/write-release/1'

describe('writeReleaseProbe', function () {
  this.timeout(30_000)
  let hosts: Host[] = []

  afterEach(async function () {
    await Promise.all(hosts.map(async h => { await h.stop() }))
    hosts = []
  })

  /** A listener that does not read until `read()` is called, and a dialled stream to it. */
  async function pair (dialerEncrypters?: Array<'tls' | 'noise'>): Promise<{ stream: Stream, read: () => void, dialer: Host }> {
    const listener = await startHost()
    const dialer = await createHost({ privateKey: await generateKeyPair('Ed25519'), ...(dialerEncrypters != null ? { encrypters: dialerEncrypters } : {}) })
    hosts.push(listener, dialer)
    let startReading!: () => void
    const reading = new Promise<void>(resolve => { startReading = resolve })
    await listener.handle(PROTOCOL, async (stream) => {
      await reading
      for await (const _ of stream) { /* consume */ }
    })
    const stream = await dialer.dialProtocol(listener.getMultiaddrs()[0], PROTOCOL)
    return { stream, read: startReading, dialer }
  }

  it('over TLS: false while written bytes are queued below the stream, true once consumed', async function () {
    const { stream, read, dialer } = await pair()
    const connection = dialer.getConnections()[0]
    assert.equal(connection.encryption, '/tls/1.0.0')
    const released = writeReleaseProbe(stream, connection)
    assert.ok(released != null, 'the probe finds the muxer, the encrypted connection and its TLS socket')
    await waitFor('an idle stream reads as released', () => released())
    // more than the yamux window and the socket buffers: the remote does not read yet
    const chunk = new Uint8Array(1024 * 1024)
    for (let i = 0; i < 8; i++) stream.send(chunk)
    assert.equal(released(), false)
    read()
    await waitFor('all bytes consumed by TLS', () => released(), 20_000)
    await stream.close()
  })

  it('declines on a Noise connection', async function () {
    const { stream, read, dialer } = await pair(['noise'])
    const connection = dialer.getConnections()[0]
    assert.equal(connection.encryption, '/noise')
    assert.equal(writeReleaseProbe(stream, connection), undefined)
    read()
    await stream.close()
  })
})

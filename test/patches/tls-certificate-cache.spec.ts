/**
 * patches/@libp2p+tls+*.patch, certificate part: a node generates its TLS certificate once
 * and presents the same one on every connection (until shortly before it expires), and a
 * remote certificate that was verified before is not parsed again, while the expected peer
 * is still checked on every connection. This fails if the patch stops applying.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TLSSocket } from 'node:tls'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost } from '../../node/host/index.js'
import type { Libp2p } from '@libp2p/interface'

describe('patch: @libp2p/tls reuses its certificate', function () {
  const hosts: Libp2p[] = []
  const seen: string[] = []
  const original = TLSSocket.prototype.getPeerCertificate

  before(function () {
    // every certificate a TLS socket of either node is shown, by fingerprint
    TLSSocket.prototype.getPeerCertificate = function (this: TLSSocket, detailed?: boolean) {
      const cert = original.call(this, detailed as true)
      if (cert?.fingerprint256 != null) seen.push(cert.fingerprint256)
      return cert
    } as typeof original
  })

  after(async function () {
    TLSSocket.prototype.getPeerCertificate = original
    await Promise.all(hosts.map(async h => { await h.stop() }))
  })

  async function host (listen: boolean): Promise<Libp2p> {
    const h = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] })
    hosts.push(h)
    return h
  }

  it('presents one certificate per node across connections, and still checks the expected peer', async function () {
    const listener = await host(true)
    const dialer = await host(false)
    const addr = listener.getMultiaddrs()[0]
    for (let i = 0; i < 3; i++) {
      const connection = await dialer.dial(addr)
      assert.equal(connection.encryption, '/tls/1.0.0')
      await connection.close()
    }
    assert.ok(seen.length >= 4, `both sides saw the certificates (${seen.length} seen)`)
    assert.equal(new Set(seen).size, 2, 'three connections, one certificate for each node')

    // the listener's certificate is cached as verified now: dialling it as another peer fails
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const wrong = multiaddr(`${addr.toString().replace(/\/p2p\/.*$/, '')}/p2p/${other.toString()}`)
    await assert.rejects(dialer.dial(wrong), (err: Error) => err.name === 'EncryptionFailedError' && /unexpected peer/i.test(err.message))
  })
})

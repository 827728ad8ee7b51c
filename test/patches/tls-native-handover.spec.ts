/**
 * patches/@libp2p+tls+*.patch, handover: when TLS takes over a TCP socket, the bytes the
 * MultiaddrConnection had already read (here a ClientHello sent in the same packet as the
 * multistream-select negotiation) reach the TLS socket, not the bin. A hand-made client
 * writes the negotiation and its ClientHello in one write, without waiting for answers.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { connect as netConnect, Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { connect as tlsConnect } from 'node:tls'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateCertificate, verifyPeerCertificate } from '@libp2p/tls/utils'
import { createHost } from '../../node/host/index.js'
import type { Libp2p, PeerId } from '@libp2p/interface'

/** One multistream-select message: varint length, then the line. */
function mssLine (text: string): Buffer {
  const line = Buffer.from(`${text}\n`)
  assert.ok(line.byteLength < 128)
  return Buffer.concat([Buffer.from([line.byteLength]), line])
}

describe('patch: @libp2p/tls hands unread bytes to the TLS socket', function () {
  let host: Libp2p | undefined
  let raw: Socket | undefined
  const unshifted: number[] = []
  const originalUnshift = Socket.prototype.unshift

  before(function () {
    Socket.prototype.unshift = function (this: Socket, chunk: any, encoding?: BufferEncoding) {
      if (this.constructor === Socket) unshifted.push(chunk.byteLength ?? chunk.length)
      return originalUnshift.call(this, chunk, encoding)
    }
  })
  after(async function () {
    Socket.prototype.unshift = originalUnshift
    raw?.destroy()
    await host?.stop()
  })

  it('a ClientHello right behind the negotiation completes the handshake', async function () {
    host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    const port = Number(host.getMultiaddrs()[0].toString().split('/')[4])
    const clientKey = await generateKeyPair('Ed25519')
    const clientPeer = peerIdFromPrivateKey(clientKey)
    const opened = new Promise<PeerId>((resolve) => {
      host!.addEventListener('connection:open', (evt) => { resolve(evt.detail.remotePeer) })
    })

    const negotiation = Buffer.concat([mssLine('/multistream/1.0.0'), mssLine('/tls/1.0.0')])
    const socket = raw = netConnect(port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve).once('error', reject) })
    // the listener answers with the same two lines, then speaks TLS
    let answer = Buffer.alloc(0)
    let prefix: Buffer | undefined = negotiation
    const duplex: Duplex = new Duplex({
      write (chunk: Buffer, _encoding, callback) {
        socket.write(prefix === undefined ? chunk : Buffer.concat([prefix, chunk]), callback)
        prefix = undefined
      },
      read () {},
      final (callback) { socket.end(); callback() }
    })
    socket.on('data', (data: Buffer) => {
      const need = negotiation.byteLength - answer.byteLength
      if (need > 0) {
        answer = Buffer.concat([answer, data.subarray(0, need)])
        data = data.subarray(need)
      }
      if (data.byteLength > 0) duplex.push(data)
    })
    socket.on('end', () => duplex.push(null))

    const tlsSocket = tlsConnect({
      socket: duplex,
      ...await generateCertificate(clientKey),
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      rejectUnauthorized: false,
      ALPNProtocols: ['/yamux/1.0.0']
    })
    await new Promise<void>((resolve, reject) => { tlsSocket.once('secureConnect', resolve).once('error', reject) })

    assert.ok(answer.equals(negotiation), 'the listener accepted /tls/1.0.0')
    assert.ok(unshifted.some(n => n > 0), 'the ClientHello was read before TLS started, and handed back to the socket')
    const listenerPeer = await verifyPeerCertificate(new Uint8Array(tlsSocket.getPeerCertificate().raw))
    assert.equal(listenerPeer.toString(), host.peerId.toString())
    assert.equal((await opened).toString(), clientPeer.toString(), 'the listener verified the client and opened the connection')
    tlsSocket.destroy()
  })
})

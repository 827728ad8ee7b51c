/**
 * patches/@libp2p+tls+*.patch, transport part: on a @libp2p/tcp connection, TLS runs on the
 * net.Socket's own handle instead of a JavaScript duplex (JSStreamSocket). This fails if
 * the patch stops applying, and checks that the connection still behaves: transfers both
 * ways, closes from either side, aborts, inactivity timeouts (see also
 * tls-native-handover.spec.ts).
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { createLibp2p } from 'libp2p'
import { createHost } from '../../node/host/index.js'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'

const PROTOCOL = '/mediaswarm-test/tls-native/1'
const MiB = 1024 * 1024

/** The net.Socket under a TCP connection (libp2p keeps its MultiaddrConnection private). */
const tcpSocketOf = (c: Connection): Socket => (c as any).maConn.socket

async function drained (stream: Stream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => { stream.removeEventListener('close', onClose); resolve() }
    const onClose = (): void => { stream.removeEventListener('drain', onDrain); reject(new Error('stream closed while waiting for drain')) }
    stream.addEventListener('drain', onDrain, { once: true })
    stream.addEventListener('close', onClose, { once: true })
  })
}

async function sendAll (stream: Stream, data: Uint8Array, chunk = 64 * 1024): Promise<void> {
  for (let i = 0; i < data.byteLength; i += chunk) {
    if (!stream.send(data.subarray(i, i + chunk))) await drained(stream)
  }
  await stream.close()
}

async function readAll (stream: Stream): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const chunk of stream) parts.push(chunk.subarray())
  return Buffer.concat(parts)
}

/** Resolves with every stream of PROTOCOL a host receives, read to its end. */
function collect (host: Libp2p): Promise<Buffer[]> & { next: () => Promise<Buffer> } {
  const waiting: Array<(b: Buffer) => void> = []
  const received: Buffer[] = []
  void host.handle(PROTOCOL, async (stream) => {
    const bytes = await readAll(stream)
    received.push(bytes)
    waiting.shift()?.(bytes)
  })
  return Object.assign(Promise.resolve(received), { next: async () => await new Promise<Buffer>((resolve) => waiting.push(resolve)) })
}

/** The listener's side of a connection, once its upgrade has finished too. */
async function inbound (host: Libp2p, from: Libp2p): Promise<Connection> {
  while (host.getConnections(from.peerId).length === 0) await new Promise(resolve => setTimeout(resolve, 10))
  return host.getConnections(from.peerId)[0]
}

const closed = async (c: Connection): Promise<void> => {
  if (c.status === 'closed' || c.status === 'aborted') return
  await new Promise<void>((resolve) => c.addEventListener('close', () => { resolve() }, { once: true }))
}

describe('patch: @libp2p/tls runs TLS on the TCP socket handle', function () {
  const started: Libp2p[] = []
  const parents: unknown[] = []
  const original = TLSSocket.prototype.getPeerCertificate

  before(function () {
    // what each TLS socket runs on, seen when it checks the remote certificate
    TLSSocket.prototype.getPeerCertificate = function (this: TLSSocket, detailed?: boolean) {
      parents.push((this as any)._handle?._parentWrap)
      return original.call(this, detailed as true)
    } as typeof original
  })
  after(function () { TLSSocket.prototype.getPeerCertificate = original })
  afterEach(async function () { await Promise.all(started.splice(0).map(async (n) => { await n.stop() })) })

  async function pair (): Promise<{ a: Libp2p, b: Libp2p, ab: Connection }> {
    const a = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    const b = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    started.push(a, b)
    const ab = await a.dial(b.getMultiaddrs()[0])
    assert.equal(ab.encryption, '/tls/1.0.0')
    return { a, b, ab }
  }

  it('the TLS socket wraps the net.Socket itself, which no longer has a data listener', async function () {
    parents.length = 0
    const { a, b, ab } = await pair()
    const ba = await inbound(b, a)
    assert.ok(ba != null, 'the listener has the connection')
    for (const c of [ab, ba]) {
      const socket = tcpSocketOf(c)
      assert.ok(socket instanceof Socket && !(socket instanceof TLSSocket))
      assert.equal(socket.listenerCount('data'), 0, 'the MultiaddrConnection no longer reads the socket')
      assert.ok(parents.includes(socket), 'a TLS socket was built on this net.Socket')
    }
    assert.ok(parents.every(p => p instanceof Socket && p.constructor.name === 'Socket'), 'no JSStreamSocket')
  })

  it('carries a few MiB byte-identical both ways on one connection', async function () {
    const { a, b, ab } = await pair()
    const atA = collect(a)
    const atB = collect(b)
    const toB = randomBytes(5 * MiB + 123)
    const toA = randomBytes(3 * MiB + 7)
    const gotB = atB.next()
    const gotA = atA.next()
    await Promise.all([
      sendAll(await ab.newStream(PROTOCOL), toB),
      sendAll(await b.dialProtocol(a.peerId, PROTOCOL), toA)
    ])
    assert.ok((await gotB).equals(toB), 'a → b identical')
    assert.ok((await gotA).equals(toA), 'b → a identical')
    assert.equal(b.getConnections(a.peerId).length, 1, 'one connection carried both')
  })

  for (const side of ['dialer', 'listener'] as const) {
    it(`closes cleanly from the ${side}, and the other side sees it`, async function () {
      const { a, b, ab } = await pair()
      const ba = await inbound(b, a)
      const [closer, other] = side === 'dialer' ? [ab, ba] : [ba, ab]
      const sockets = [tcpSocketOf(ab), tcpSocketOf(ba)]
      await closer.close()
      await closed(other)
      // (the closer ends 'aborted' with the library's JavaScript duplex too)
      assert.ok(closer.status === 'closed' || closer.status === 'aborted')
      assert.ok(other.status === 'closed' || other.status === 'aborted')
      await new Promise(resolve => setTimeout(resolve, 50))
      assert.ok(sockets.every(s => s.destroyed), 'both TCP sockets are gone')
    })
  }

  it('an abort mid-transfer reaches the other side without crashing either node', async function () {
    const { a, b, ab } = await pair()
    let ended: () => void = () => {}
    const handlerEnded = new Promise<void>((resolve) => { ended = resolve })
    await b.handle(PROTOCOL, async (stream) => {
      await readAll(stream).catch(() => {})
      ended()
    })
    const stream = await ab.newStream(PROTOCOL)
    const chunk = randomBytes(256 * 1024)
    for (let i = 0; i < 8; i++) if (!stream.send(chunk)) await drained(stream)
    const ba = await inbound(b, a)
    ab.abort(new Error('test abort'))
    await closed(ba)
    assert.equal(ab.status, 'aborted')
    await handlerEnded // the receiving stream ends, it does not hang
    // both nodes still work: a fresh connection carries data
    await b.unhandle(PROTOCOL)
    const atB = collect(b)
    const got = atB.next()
    const data = randomBytes(MiB)
    await sendAll(await a.dialProtocol(b.peerId, PROTOCOL), data)
    assert.ok((await got).equals(data))
  })

  it('a connection the gater refuses right after the handshake is reset, and the node survives', async function () {
    // closing the TCP socket under a live TLS socket crashed the process (SSL_read on freed state)
    const gated = await createHost({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      connectionGater: { denyInboundEncryptedConnection: async () => true }
    })
    const dialer = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    started.push(gated, dialer)
    for (let i = 0; i < 5; i++) {
      const c = await dialer.dial(gated.getMultiaddrs()[0]).catch(() => undefined)
      if (c != null) await closed(c)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    assert.equal(gated.getConnections().length, 0)
    assert.equal(gated.status, 'started')
  })

  describe('inactivity timeout', function () {
    const TIMEOUT_MS = 600

    async function timedPair (): Promise<{ a: Libp2p, b: Libp2p, ab: Connection }> {
      const node = async (): Promise<Libp2p> => createLibp2p({
        privateKey: await generateKeyPair('Ed25519'),
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        transports: [tcp({ inboundSocketInactivityTimeout: TIMEOUT_MS, outboundSocketInactivityTimeout: TIMEOUT_MS })],
        connectionEncrypters: [tls()],
        streamMuxers: [yamux({ enableKeepAlive: false })]
      })
      const a = await node()
      const b = await node()
      started.push(a, b)
      const ab = await a.dial(b.getMultiaddrs()[0])
      assert.equal(tcpSocketOf(ab).listenerCount('data'), 0, 'native path')
      return { a, b, ab }
    }

    it('a busy connection outlives the inactivity timeout', async function () {
      const { b, ab } = await timedPair()
      const atB = collect(b)
      const stream = await ab.newStream(PROTOCOL)
      const got = atB.next()
      const until = Date.now() + 4 * TIMEOUT_MS
      let sent = 0
      while (Date.now() < until) {
        stream.send(new Uint8Array([sent++ & 0xff]))
        await new Promise(resolve => setTimeout(resolve, TIMEOUT_MS / 6))
      }
      assert.equal(ab.status, 'open', 'the connection carried traffic all along')
      await stream.close()
      assert.equal((await got).byteLength, sent)
    })

    it('an idle connection still closes after the timeout', async function () {
      const { ab } = await timedPair()
      await closed(ab)
      assert.equal(ab.status, 'aborted', 'the timeout aborts the connection')
    })
  })
})

import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost } from '../../../node/host/index.js'
import { PUNCH_PROTOCOL, endpointOf, holePunch, relayOf } from '../../../node/punch/index.js'
import { encodeFrame } from '../../../node/streams/index.js'
import { PunchMessage } from '../../../node/punch/pb/punch.js'
import type { Host } from '../../../node/host/index.js'
import type { PunchResult } from '../../../node/punch/index.js'
import type { Connection } from '@libp2p/interface'

/** A relay as the tracker runs it, on loopback. */
async function relayHost (): Promise<Host> {
  return createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], relay: { server: { slots: 8, maxBytes: 128 * 1024, maxDurationMs: 60_000 } } })
}

/** A peer with the hole punch; `results` collects its outcomes. */
async function punchingHost (results: PunchResult[], init: { reserveOn?: string[], listen?: string[] } = {}): Promise<Host> {
  return createHost({
    privateKey: await generateKeyPair('Ed25519'),
    listen: init.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    reserveOn: init.reserveOn,
    extraTransports: [holePunch({ onResult: (r) => { results.push(r) }, attempts: 1, attemptTimeoutMs: 1000 })]
  })
}

async function until<T> (what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

describe('node/punch: hole punch over the relay (loopback, no NAT)', function () {
  this.timeout(30_000)
  const hosts: Host[] = []
  afterEach(async function () { await Promise.all(hosts.splice(0).map(async h => { await h.stop() })) })

  // Without a NAT in between, a SYN that arrives before the other side's connect is refused
  // at once, so the two dials rarely cross on loopback: the punch itself is proven across
  // real NATs by test/netns/. Here: the exchange over the relay, and hostile input.
  it('over the relay, each side learns the other\'s public punch address and both dial it', async function () {
    const relay = await relayHost()
    const aResults: PunchResult[] = []
    const bResults: PunchResult[] = []
    const a = await punchingHost(aResults, { reserveOn: [relay.getMultiaddrs()[0].toString()] })
    const b = await punchingHost(bResults, { listen: [] })
    hosts.push(relay, a, b)
    const circuit = await until('a reservation', () => a.getMultiaddrs().find(m => m.toString().includes('/p2p-circuit')))
    const relayed = await b.dial(circuit)
    assert.ok(relayed.limits != null, 'the first connection is relayed and limited')
    await until('both results', () => aResults.length > 0 && bResults.length > 0 ? true : undefined)
    assert.equal(bResults[0].role, 'initiator')
    assert.equal(aResults[0].role, 'responder')
    assert.equal(bResults[0].peer, a.peerId.toString())
    assert.equal(aResults[0].peer, b.peerId.toString())
    // the relay saw each punch port from 127.0.0.1: that is the address the other side dialled
    assert.match(bResults[0].remoteAddr ?? '', /^\/ip4\/127\.0\.0\.1\/tcp\/\d+$/)
    assert.match(aResults[0].remoteAddr ?? '', /^\/ip4\/127\.0\.0\.1\/tcp\/\d+$/)
    assert.notEqual(aResults[0].remoteAddr, bResults[0].remoteAddr)
    if (bResults[0].ok) {
      const direct = b.getConnections(a.peerId).find(c => c.limits == null)
      assert.ok(direct != null && !direct.remoteAddr.toString().includes('p2p-circuit'))
    } else {
      assert.match(bResults[0].error ?? '', /ECONNREFUSED|no answer/)
    }
  })

  it('hostile CONNECTs (garbage, an unusable address) abort that punch only; the responder still serves an honest peer', async function () {
    const relay = await relayHost()
    const aResults: PunchResult[] = []
    const a = await punchingHost(aResults, { reserveOn: [relay.getMultiaddrs()[0].toString()] })
    hosts.push(relay, a)
    const circuit = await until('a reservation', () => a.getMultiaddrs().find(m => m.toString().includes('/p2p-circuit')))
    const garbage = [
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]), // a frame length far over the cap
      encodeFrame({ type: PunchMessage.Type.CONNECT, addrs: [new Uint8Array([1, 2, 3])], delayMs: 0 }, PunchMessage),
      encodeFrame({ type: PunchMessage.Type.SYNC, addrs: [], delayMs: 0 }, PunchMessage)
    ]
    for (const bytes of garbage) {
      // each from its own identity: a peer whose punch failed waits out a cooldown
      const hostile = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: [] })
      hosts.push(hostile)
      const before = aResults.length
      const conn: Connection = await hostile.dial(circuit)
      const stream = await conn.newStream(PUNCH_PROTOCOL, { runOnLimitedConnection: true })
      stream.send(bytes)
      await until('the responder to give up', () => aResults.length > before ? true : undefined)
      assert.equal(aResults.at(-1)?.ok, false)
      assert.equal(aResults.at(-1)?.remoteAddr, undefined, 'nothing was dialled')
      assert.equal(conn.status, 'open', 'the relayed connection itself stays up')
    }
    const bResults: PunchResult[] = []
    const b = await punchingHost(bResults, { listen: [] })
    hosts.push(b)
    await b.dial(circuit)
    await until('the honest punch', () => aResults.find(r => r.peer === b.peerId.toString()))
    assert.match(aResults.at(-1)?.remoteAddr ?? '', /^\/ip4\/127\.0\.0\.1\/tcp\/\d+$/)
  })

  it('refuses a punch over a connection that is not relayed', async function () {
    const aResults: PunchResult[] = []
    const a = await punchingHost(aResults)
    const other = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: [] })
    hosts.push(a, other)
    const stream = await other.dialProtocol(a.getMultiaddrs()[0], PUNCH_PROTOCOL)
    try {
      stream.send(encodeFrame({ type: PunchMessage.Type.CONNECT, addrs: [multiaddr('/ip4/127.0.0.1/tcp/9').bytes], delayMs: 0 }, PunchMessage))
    } catch {} // already reset
    await until('the stream to be reset', () => stream.status === 'open' ? undefined : stream.status)
    assert.equal(stream.status, 'reset')
    assert.equal(aResults.length, 0, 'no punch was tried')
  })

  it('reads the relay and the punch address out of multiaddrs, and nothing else', function () {
    const relay = relayOf(multiaddr('/ip4/10.99.0.1/tcp/4001/p2p/12D3KooWAaAgSWTrgRu8mfN9CSyHPKy8oywpKvZ2dqncB5LHnHDm/p2p-circuit/p2p/12D3KooWQtCSuLXVh3Sdarosa6tPXcPfkSmraMsH8x8FrktMJ2b6'))
    assert.deepEqual(relay?.endpoint, { host: '10.99.0.1', port: 4001 })
    assert.equal(relayOf(multiaddr('/ip4/10.99.0.1/tcp/4001/p2p/12D3KooWAaAgSWTrgRu8mfN9CSyHPKy8oywpKvZ2dqncB5LHnHDm')), undefined)
    assert.equal(relayOf(multiaddr('/ip4/10.99.0.1/udp/4001/quic-v1/p2p-circuit')), undefined)
    assert.deepEqual(endpointOf(multiaddr('/ip6/::1/tcp/5')), { host: '::1', port: 5 })
    assert.equal(endpointOf(multiaddr('/ip4/1.2.3.4/udp/5')), undefined)
    assert.equal(endpointOf(multiaddr('/dns4/example.com/tcp/5')), undefined)
  })
})

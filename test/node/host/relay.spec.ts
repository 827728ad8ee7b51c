import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost } from '../../../node/host/index.js'
import type { Host, HostInit } from '../../../node/host/index.js'

const SLOTS = 2
const ECHO = '/mediaswarm-test/echo/1'

async function host (init: Partial<HostInit> = {}): Promise<Host> {
  return createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], ...init })
}

/** A relay server with small limits, as a tracker runs it. */
async function relayHost (): Promise<Host> {
  return host({ relay: { server: { slots: SLOTS, maxBytes: 64 * 1024, maxDurationMs: 60_000 } } })
}

/** Waits until `host` listens through the relay (its reservation was accepted). */
async function circuitAddress (h: Host, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = h.getMultiaddrs().find(a => a.toString().includes('/p2p-circuit'))
    if (found != null) return found.toString()
    if (Date.now() > deadline) throw new Error('no relay reservation')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function waitUntil (check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

describe('node/host: circuit relay v2 (tracker relays for its peers)', function () {
  const hosts: Host[] = []
  afterEach(async function () { await Promise.all(hosts.splice(0).map(async h => { await h.stop() })) })

  it('a peer with reserveOn listens through the relay, and is dialled over a limited connection there', async function () {
    const relay = await relayHost()
    // dial only: the peer can be reached through the relay and no other way
    const peer = await host({ listen: [], reserveOn: [relay.getMultiaddrs()[0].toString()] })
    const dialer = await host({ listen: [] })
    hosts.push(relay, peer, dialer)
    const addr = await circuitAddress(peer)
    assert.ok(addr.startsWith(`${relay.getMultiaddrs()[0].toString()}/p2p-circuit/p2p/${peer.peerId.toString()}`), addr)
    assert.equal(relay.services.relay?.reservations.size, 1)

    // a protocol that does not opt in is refused on the relayed connection
    await peer.handle(ECHO, async (stream) => { await stream.close() })
    const conn = await dialer.dial(multiaddr(addr))
    assert.equal(conn.limits != null, true, 'a relayed connection is limited')
    await assert.rejects(conn.newStream(ECHO), (err: Error) => /limited/i.test(err.message) || err.name === 'LimitedConnectionError')
    // one that opts in (coordination) runs
    await peer.unhandle(ECHO)
    await peer.handle(ECHO, async (stream) => { await stream.close() }, { runOnLimitedConnection: true })
    const stream = await conn.newStream(ECHO, { runOnLimitedConnection: true })
    await stream.close()
  })

  it('with reachabilityAfter, reserves only once that settles (a get asks for its ticket first)', async function () {
    const relay = await relayHost()
    let release = (): void => {}
    const after = new Promise<void>(resolve => { release = resolve })
    const peer = await host({ listen: [], reserveOn: [relay.getMultiaddrs()[0].toString()], reachabilityAfter: after })
    hosts.push(relay, peer)
    // connected and answering, yet no reservation asked for
    assert.ok(await peer.services.ping.ping(relay.getMultiaddrs()[0]) >= 0)
    assert.ok(await peer.services.ping.ping(relay.getMultiaddrs()[0]) >= 0)
    assert.equal(relay.services.relay?.reservations.size, 0)
    assert.equal(peer.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')), false)
    release()
    const addr = await circuitAddress(peer)
    assert.ok(addr.startsWith(`${relay.getMultiaddrs()[0].toString()}/p2p-circuit/p2p/${peer.peerId.toString()}`), addr)
    assert.equal(relay.services.relay?.reservations.size, 1)
  })

  it('cuts a relayed connection once it carried --relay-max-bytes, even for a protocol that opted in', async function () {
    const relay = await relayHost()
    const peer = await host({ listen: [], reserveOn: [relay.getMultiaddrs()[0].toString()] })
    const dialer = await host({ listen: [] })
    hosts.push(relay, peer, dialer)
    const addr = await circuitAddress(peer)
    let received = 0
    const ended = new Promise<void>(resolve => {
      void peer.handle(ECHO, async (stream) => {
        stream.addEventListener('message', (evt) => { received += evt.data.byteLength })
        stream.addEventListener('close', () => { resolve() })
      }, { runOnLimitedConnection: true })
    })
    const conn = await dialer.dial(multiaddr(addr))
    const stream = await conn.newStream(ECHO, { runOnLimitedConnection: true })
    const chunk = new Uint8Array(16 * 1024)
    // four times the relay's limit, as fast as the stream takes it
    for (let sent = 0; sent < 4 * 64 * 1024 && stream.status === 'open'; sent += chunk.byteLength) {
      if (!stream.send(chunk)) await new Promise(resolve => { stream.addEventListener('drain', resolve, { once: true }); stream.addEventListener('close', resolve, { once: true }) })
    }
    await ended
    assert.ok(received < 4 * 64 * 1024, `the relay let ${received} bytes through`)
    assert.ok(received <= 64 * 1024, `received ${received} bytes, more than the 64 KiB limit`)
  })

  it('refuses reservations past its slots, and frees the slot of a peer that leaves', async function () {
    const relay = await relayHost()
    hosts.push(relay)
    const reserveOn = [relay.getMultiaddrs()[0].toString()]
    const peers: Host[] = []
    for (let i = 0; i < SLOTS; i++) {
      const p = await host({ listen: [], reserveOn })
      hosts.push(p)
      peers.push(p)
      await circuitAddress(p)
    }
    const late = await host({ listen: [], reserveOn })
    hosts.push(late)
    await assert.rejects(circuitAddress(late, 3000), /no relay reservation/)
    assert.equal(relay.services.relay?.reservations.size, SLOTS)
    assert.ok(late.getConnections(relay.peerId).length > 0, 'the late peer did reach the relay: only its reservation was refused')
    // a peer that leaves frees its slot at once (not after the reservation's 2 h TTL)
    await peers[0].stop()
    await waitUntil(() => relay.services.relay?.reservations.size === SLOTS - 1)
    await late.hangUp(relay.peerId)
    await late.dial(relay.getMultiaddrs()[0])
    await circuitAddress(late)
    assert.equal(relay.services.relay?.reservations.size, SLOTS)
  })

  it('reserves again after the relay connection was lost', async function () {
    const relay = await relayHost()
    const peer = await host({ listen: [], reserveOn: [relay.getMultiaddrs()[0].toString()] })
    hosts.push(relay, peer)
    await circuitAddress(peer)
    await relay.hangUp(peer.peerId)
    // the reservation goes with the connection; the next connection makes a new one
    const deadline = Date.now() + 5000
    while (peer.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
    await peer.dial(relay.getMultiaddrs()[0])
    await circuitAddress(peer)
  })
})

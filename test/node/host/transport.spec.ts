import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { mplex } from '@libp2p/mplex'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { createHost, generateNetworkKey } from '../../../node/host/index.js'
import { NOISE_PROTOCOL } from '../../../node/host/lazy-noise.js'
import { startHost } from '../../fixtures/hosts.js'
import type { Host } from '../../../node/host/index.js'
import type { Libp2p } from '@libp2p/interface'

const TLS = '/tls/1.0.0'
const NOISE = '/noise'
const YAMUX = '/yamux/1.0.0'
const MPLEX = '/mplex/6.7.0'

type Muxer = ReturnType<typeof yamux> | ReturnType<typeof mplex>

/** A plain libp2p node that only speaks Noise (an older mediaswarm, or another client). */
async function noiseOnlyNode (muxer: Muxer = yamux()): Promise<Libp2p<{ ping: ReturnType<ReturnType<typeof ping>> }>> {
  return createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [muxer],
    services: { ping: ping() }
  })
}

describe('node/host: transport negotiation (TLS first, Noise fallback; yamux first, mplex kept)', function () {
  const started: Libp2p[] = []
  afterEach(async function () { await Promise.all(started.splice(0).map(async (n) => { await n.stop() })) })

  it('two mediaswarm hosts agree on TLS and yamux, and the connection carries a protocol', async function () {
    const a = await startHost()
    const b = await startHost()
    started.push(a, b)
    const conn = await a.dial(b.getMultiaddrs()[0])
    assert.equal(conn.encryption, TLS)
    assert.equal(conn.multiplexer, YAMUX)
    assert.equal(conn.remotePeer.toString(), b.peerId.toString(), 'TLS authenticated the remote identity')
    assert.ok(await a.services.ping.ping(b.getMultiaddrs()[0]) >= 0)
  })

  it('yamux samples the RTT once at connect, so stream receive windows can grow past 256 KiB', async function () {
    const a = await startHost()
    const b = await startHost()
    started.push(a, b)
    const conn = await a.dial(b.getMultiaddrs()[0])
    // without an RTT sample (-1) yamux never doubles a stream's window: an update every 128 KiB
    const muxer = (conn as unknown as { muxer: { getRTT: () => number } }).muxer
    for (let i = 0; i < 200 && muxer.getRTT() < 0; i++) await new Promise(resolve => setTimeout(resolve, 10))
    assert.ok(muxer.getRTT() >= 0, `no RTT sample: ${muxer.getRTT()}`)
  })

  it('a Noise-only peer connects to a TLS-first host, in both directions', async function () {
    const host = await startHost()
    const dialer = await noiseOnlyNode()
    const listener = await noiseOnlyNode()
    started.push(host, dialer, listener)

    const inbound = await dialer.dial(host.getMultiaddrs()[0])
    assert.equal(inbound.encryption, NOISE)
    assert.equal(inbound.multiplexer, YAMUX)
    assert.equal(inbound.remotePeer.toString(), host.peerId.toString())
    assert.ok(await dialer.services.ping.ping(host.getMultiaddrs()[0]) >= 0)

    const outbound = await host.dial(listener.getMultiaddrs()[0])
    assert.equal(outbound.encryption, NOISE, 'the host falls back to Noise when the listener has no TLS')
    assert.equal(outbound.remotePeer.toString(), listener.peerId.toString())
    assert.ok(await host.services.ping.ping(listener.getMultiaddrs()[0]) >= 0)
  })

  it('two hosts offering only Noise (loaded at their first handshake) connect, under the protocol id Noise itself uses', async function () {
    const make = async (): Promise<Host> => createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], encrypters: ['noise'] })
    const a = await make()
    const b = await make()
    started.push(a, b)
    const conn = await a.dial(b.getMultiaddrs()[0])
    assert.equal(conn.encryption, NOISE)
    assert.equal(conn.remotePeer.toString(), b.peerId.toString(), 'Noise authenticated the remote identity')
    assert.ok(await a.services.ping.ping(b.getMultiaddrs()[0]) >= 0)
    assert.ok(await b.services.ping.ping(a.getMultiaddrs()[0]) >= 0, 'and the other way')
    const real = noise()({ logger: defaultLogger(), upgrader: { getStreamMuxers: () => new Map() } } as any)
    assert.equal(real.protocol, NOISE_PROTOCOL)
  })

  it('an mplex-only Noise peer still connects', async function () {
    const host = await startHost()
    const old = await noiseOnlyNode(mplex())
    started.push(host, old)
    const conn = await old.dial(host.getMultiaddrs()[0])
    assert.equal(conn.encryption, NOISE)
    assert.equal(conn.multiplexer, MPLEX)
    assert.ok(await old.services.ping.ping(host.getMultiaddrs()[0]) >= 0)
  })

  it('TLS runs under a network key, and a host without the key cannot connect', async function () {
    const psk = new TextEncoder().encode(generateNetworkKey().trimEnd())
    const make = async (key?: Uint8Array): Promise<Host> => createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], psk: key })
    const a = await make(psk)
    const b = await make(psk)
    const stranger = await make()
    started.push(a, b, stranger)
    const conn = await a.dial(b.getMultiaddrs()[0])
    assert.equal(conn.encryption, TLS)
    await assert.rejects(stranger.dial(a.getMultiaddrs()[0], { signal: AbortSignal.timeout(5000) }))
  })
})

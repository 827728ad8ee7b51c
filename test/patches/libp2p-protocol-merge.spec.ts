/**
 * patches/libp2p+*.patch: a connection records a stream's protocol in the peer store once
 * per connection, not for every stream (each peer store merge decodes and re-encodes the
 * whole peer record). This fails if the patch stops applying (an upgrade, or `npm ci`
 * without the postinstall step).
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { startHost } from '../fixtures/hosts.js'
import type { Host } from '../../node/host/index.js'
import type { PeerId } from '@libp2p/interface'

const PROTOCOL = '/mediaswarm-test/merge/1.0.0'
const OTHER = '/mediaswarm-test/merge-other/1.0.0'

/** Counts the peer store merges of `host` that record `protocol` for `peer`. */
function countMerges (host: Host, peer: PeerId, protocol: string): () => number {
  let n = 0
  const merge = host.peerStore.merge.bind(host.peerStore)
  host.peerStore.merge = async (id, data, options) => {
    if (id.equals(peer) && data.protocols?.includes(protocol) === true) n++
    return merge(id, data, options)
  }
  return () => n
}

describe('patch: libp2p records a protocol in the peer store once per connection', function () {
  let a: Host | undefined
  let b: Host | undefined

  afterEach(async function () {
    await Promise.all([a?.stop(), b?.stop()])
  })

  it('merges a protocol once for many streams on one connection, in both directions, and again on a new connection', async function () {
    a = await startHost()
    b = await startHost()
    for (const p of [PROTOCOL, OTHER]) {
      await b.handle(p, async (stream) => { await stream.close() })
    }
    const dialerMerges = countMerges(a, b.peerId, PROTOCOL)
    const listenerMerges = countMerges(b, a.peerId, PROTOCOL)
    const otherMerges = countMerges(a, b.peerId, OTHER)

    for (let i = 0; i < 5; i++) {
      const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
      await stream.close()
    }
    const other = await a.dialProtocol(b.peerId, OTHER)
    await other.close()
    assert.equal(a.getConnections(b.peerId).length, 1, 'one connection carried every stream')
    assert.equal(dialerMerges(), 1, 'the dialer merged the protocol once for five streams')
    assert.equal(listenerMerges(), 1, 'the listener merged the protocol once for five streams')
    assert.equal(otherMerges(), 1, 'another protocol is merged on its first stream')
    const stored = await a.peerStore.get(b.peerId)
    assert.ok(stored.protocols.includes(PROTOCOL))
    assert.ok(stored.protocols.includes(OTHER))

    // a new connection records it again
    await a.hangUp(b.peerId)
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
    await stream.close()
    assert.equal(dialerMerges(), 2)
  })
})

import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { networkInterfaces } from 'node:os'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost, dualStackListen } from '../../../node/host/index.js'
import type { Host } from '../../../node/host/index.js'

const hasIpv6 = Object.values(networkInterfaces()).flat().some(i => i?.family === 'IPv6')

describe('node/host: IPv4 and IPv6 by default', function () {
  const hosts: Host[] = []
  afterEach(async function () { await Promise.all(hosts.splice(0).map(async h => { await h.stop() })) })

  it('listens on every IPv4 and IPv6 interface, and is reached over each (IPv6 skipped on a machine without it)', async function () {
    const a = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: dualStackListen(0) })
    const b = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    hosts.push(a, b)
    const addrs = a.getMultiaddrs().map(String)
    const v4 = addrs.find(s => s.startsWith('/ip4/127.0.0.1/'))
    assert.ok(v4 != null, addrs.join(' '))
    await b.services.ping.ping(multiaddr(v4))
    const v6 = addrs.find(s => s.startsWith('/ip6/::1/'))
    if (!hasIpv6) {
      assert.equal(v6, undefined)
      return
    }
    assert.ok(v6 != null, `no IPv6 loopback address among ${addrs.join(' ')}`)
    await b.hangUp(a.peerId)
    const conn = await b.dial(multiaddr(v6))
    assert.ok(conn.remoteAddr.toString().startsWith('/ip6/::1/'))
  })
})

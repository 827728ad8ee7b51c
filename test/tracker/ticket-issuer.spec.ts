import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { createHost, verifyTicket } from '../../node/index.js'
import { ProviderIndex } from '../../tracker/providers/index.js'
import { TicketIssuer } from '../../tracker/ticket-issuer.js'
import type { Host } from '../../node/index.js'
import type { Grant } from '../../tracker/queue/index.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

describe('tracker TicketIssuer', function () {
  let key: PrivateKey
  let host: Host
  let issuer: TicketIssuer
  let holder: PeerId
  let coDownloader: PeerId
  let cid: CID
  let granted: string[]

  beforeEach(async function () {
    key = await generateKeyPair('Ed25519')
    host = await createHost({ privateKey: key, listen: ['/ip4/127.0.0.1/tcp/0'] })
    holder = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    coDownloader = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    cid = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('file')))
    granted = [holder.toString(), coDownloader.toString()]
    issuer = new TicketIssuer(key, host, new ProviderIndex(), { isGranted: () => true, grantedPeers: () => granted })
  })

  afterEach(async function () {
    issuer.stop()
    await host.stop()
  })

  const grant = (requestId = 'r1'): Grant => ({ peerId: holder.toString(), requestId, cid: cid.toString(), arrivedAt: 0, seq: 1, grantedAt: 0, expiresAt: Date.now() + 60_000 })

  it('issues at once a ticket the verifier accepts when every address it needs is cached', async function () {
    granted = [holder.toString()]
    const ticket = issuer.issueNow(grant())
    assert.ok(ticket != null, 'no other peer to name: nothing to read')
    assert.ok(!(ticket instanceof Promise))
    const verified = await verifyTicket(ticket.bytes, { tracker: host.peerId, presenter: holder, cid })
    assert.deepEqual(verified.providers.map(p => p.peerId), [host.peerId.toString()])
    assert.ok(issuer.isLive(ticket))
  })

  it('leaves a ticket naming a peer whose addresses are unknown to issue(), which reads them', async function () {
    assert.equal(issuer.issueNow(grant()), undefined)
    const ticket = await issuer.issue(grant())
    await verifyTicket(ticket.bytes, { tracker: host.peerId, presenter: holder, cid })
    // issue() cached what it read
    assert.ok(issuer.issueNow(grant('r2')) != null)
  })

  it('fills its address cache from the peer store\'s change events', async function () {
    await host.peerStore.patch(coDownloader, { multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001')] })
    // no read of the peer store since: the event carried the addresses
    assert.ok(issuer.issueNow(grant()) != null)
  })

  it('caches its own copy of addresses that are views into a larger buffer', async function () {
    // the holder and the co-downloader as real nodes connected from loopback, so that the
    // ticket may name the co-downloader's loopback address to the holder
    const holderKey = await generateKeyPair('Ed25519')
    const coKey = await generateKeyPair('Ed25519')
    holder = peerIdFromPrivateKey(holderKey)
    coDownloader = peerIdFromPrivateKey(coKey)
    granted = [holder.toString(), coDownloader.toString()]
    const nodes = await Promise.all([holderKey, coKey].map(async privateKey => createHost({ privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })))
    try {
      for (const node of nodes) await node.dial(host.getMultiaddrs()[0])
      // the tracker's side of each connection completes its upgrade a little later
      while (host.getConnections().length < nodes.length) await new Promise(resolve => setTimeout(resolve, 10))
      // and identify stores the co-downloader's addresses (its own change event): ours comes after
      while ((await host.peerStore.get(coDownloader).catch(() => undefined))?.addresses.length !== 1) await new Promise(resolve => setTimeout(resolve, 10))
      const address = nodes[1].getMultiaddrs()[0].decapsulateCode(421)
      // as the peer store hands them out: a view into a bigger buffer (often Node's Buffer pool)
      const shared = new Uint8Array(8192)
      shared.set(address.bytes, 100)
      const view = shared.subarray(100, 100 + address.bytes.byteLength)
      host.safeDispatchEvent('peer:update', { detail: { peer: { id: coDownloader, addresses: [{ multiaddr: { bytes: view } }] } } } as any)
      shared.fill(0) // the bigger buffer goes on to hold something else
      const ticket = issuer.issueNow(grant())
      assert.ok(ticket != null && !(ticket instanceof Promise), 'the event filled the cache')
      const verified = await verifyTicket(ticket.bytes, { tracker: host.peerId, presenter: holder, cid })
      const named = verified.providers.find(p => p.peerId === coDownloader.toString())
      assert.deepEqual(named?.multiaddrs.map(m => multiaddr(m).toString()), [address.toString()])
    } finally {
      await Promise.all(nodes.map(async node => node.stop()))
    }
  })
})

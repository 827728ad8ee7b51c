import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost } from '../../../node/index.js'
import { waitFor } from '../../fixtures/network.js'
import type { Host } from '../../../node/index.js'
import type { PeerId } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

const HOURS = 3_600_000

/** The peer store's records as they sit in the datastore (reading them through the peer store would drop expired ones). */
async function storedPeers (host: Host): Promise<Set<string>> {
  const datastore = (host as unknown as { components: { datastore: Datastore } }).components.datastore
  const keys = new Set<string>()
  for await (const key of datastore.queryKeys({ prefix: '/peers/' })) keys.add(key.toString().slice('/peers/'.length))
  return keys
}
const keyOf = (peer: PeerId): string => peer.toCID().toString()

/** Writes `peer`'s record as if at `agoMs` in the past (libp2p stamps records and addresses with Date.now()). */
async function recordAt (host: Host, peer: PeerId, agoMs: number): Promise<void> {
  const realNow = Date.now
  Date.now = () => realNow() - agoMs
  try {
    await host.peerStore.merge(peer, { multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001')] })
  } finally {
    Date.now = realNow
  }
}

describe('node/host peerStoreSweep', function () {
  this.timeout(30_000)
  let hosts: Host[] = []
  afterEach(async function () {
    await Promise.all(hosts.map(async h => { await h.stop() }))
    hosts = []
  })

  it('drops the records of departed peers once expired, and keeps connected peers and recent ones', async function () {
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    const other = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    hosts.push(host, other)
    const sweep = host.services.peerStoreSweep
    assert.ok(sweep != null, 'every host runs the sweep')

    const departed = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const recent = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    await recordAt(host, departed, 7 * HOURS)
    await recordAt(host, recent, 1 * HOURS)
    // a peer connected now whose record is as old as the departed one's
    await other.dial(host.getMultiaddrs()[0])
    await waitFor('the host to see the connection', () => host.getConnections(other.peerId).length > 0)
    await recordAt(host, other.peerId, 7 * HOURS)
    const before = await storedPeers(host)
    for (const p of [departed, recent, other.peerId]) assert.ok(before.has(keyOf(p)), 'nothing reads a stored record on its own')

    assert.equal(await sweep.sweep(), 1)
    const after = await storedPeers(host)
    assert.ok(!after.has(keyOf(departed)), 'the departed peer\'s expired record is gone')
    assert.ok(after.has(keyOf(recent)), 'a record updated an hour ago stays')
    assert.ok(after.has(keyOf(other.peerId)), 'a connected peer\'s record stays, however old')
    assert.ok(after.has(keyOf(host.peerId)) === before.has(keyOf(host.peerId)), 'the node\'s own record is left alone')
    assert.equal(sweep.sweeps, 1)
    assert.equal(sweep.removed, 1)
    assert.equal(await sweep.sweep(), 0, 'a second sweep finds nothing more to drop')
  })

  it('drops a thousand departed peers\' records in one sweep', async function () {
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: [] })
    hosts.push(host)
    const stale = await Promise.all(Array.from({ length: 1200 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    for (const p of stale) await recordAt(host, p, 7 * HOURS)
    assert.equal((await storedPeers(host)).size >= 1200, true)
    const removed = await host.services.peerStoreSweep!.sweep()
    assert.equal(removed, 1200)
    const left = await storedPeers(host)
    assert.ok(left.size <= 1, `only the node's own record may remain, not ${left.size}`)
  })
})

import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Key } from 'interface-datastore'
import { createHost } from '../../../node/index.js'
import { CompactMemoryDatastore } from '../../../node/host/compact-datastore.js'
import { ownBytes } from '../../../node/own-bytes.js'
import type { Host } from '../../../node/index.js'

describe('node/host CompactMemoryDatastore', function () {
  it('ownBytes copies a view into a larger buffer and keeps bytes that own theirs', function () {
    const whole = new Uint8Array([1, 2, 3])
    assert.equal(ownBytes(whole), whole)
    const shared = new Uint8Array(8192).fill(7)
    const copy = ownBytes(shared.subarray(10, 13))
    assert.notEqual(copy.buffer, shared.buffer)
    assert.equal(copy.buffer.byteLength, 3)
    assert.deepEqual([...copy], [7, 7, 7])
    // a small Buffer is a slice of Node's 8 KiB pool
    const pooled = Buffer.from('abc')
    assert.ok(pooled.buffer.byteLength > 3)
    assert.equal(ownBytes(pooled).buffer.byteLength, 3)
  })

  it('stores each value in a buffer of its own', async function () {
    const store = new CompactMemoryDatastore()
    const shared = new Uint8Array(8192).fill(9)
    await store.put(new Key('/a'), shared.subarray(100, 140))
    shared.fill(0)
    const value = await store.get(new Key('/a'))
    assert.equal(value.byteLength, 40)
    assert.equal(value.buffer.byteLength, 40)
    assert.deepEqual([...value], new Array(40).fill(9))
  })

  describe('as the host\'s datastore', function () {
    let host: Host
    afterEach(async function () { await host?.stop() })

    it('keeps the peer store\'s records out of shared buffers', async function () {
      host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: [] })
      const datastore = (host as unknown as { components: { datastore: unknown } }).components.datastore
      assert.ok(datastore instanceof CompactMemoryDatastore)
      const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      await host.peerStore.patch(peer, { multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001')] })
      let records = 0
      for await (const { value } of datastore.query({ prefix: '/peers/' })) {
        records++
        assert.equal(value.buffer.byteLength, value.byteLength, 'a record in a buffer of its own')
      }
      assert.ok(records >= 1)
    })
  })
})

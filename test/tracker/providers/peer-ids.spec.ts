import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerIdCache } from '../../../tracker/providers/peer-ids.js'

const ids = async (n: number): Promise<string[]> =>
  await Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))

describe('tracker/providers PeerIdCache', () => {
  it('parses a PeerId once and returns the same one after', async () => {
    const [a] = await ids(1)
    const cache = new PeerIdCache(4)
    const first = cache.get(a)
    assert.equal(first.toString(), a)
    assert.equal(first.type, 'Ed25519')
    assert.equal(cache.get(a), first, 'the second lookup is the cached object')
    assert.equal(cache.size, 1)
  })

  it('holds at most its size, dropping the least recently used first', async () => {
    const [a, b, c, d] = await ids(4)
    const cache = new PeerIdCache(2)
    const pa = cache.get(a)
    const pb = cache.get(b)
    cache.get(a) // a is now the most recently used: b goes first
    cache.get(c)
    assert.equal(cache.size, 2)
    assert.equal(cache.get(a), pa, 'a stayed')
    const pb2 = cache.get(b)
    assert.notEqual(pb2, pb, 'b was dropped and parsed again')
    assert.equal(pb2.toString(), b)
    cache.get(d)
    assert.equal(cache.size, 2)
  })

  it('does not grow past its size from a stream of ids', async () => {
    const cache = new PeerIdCache(8)
    for (const id of await ids(50)) cache.get(id)
    assert.equal(cache.size, 8)
  })

  it('throws on a string naming no PeerId and caches nothing for it', () => {
    const cache = new PeerIdCache(4)
    assert.throws(() => cache.get('not-a-peer-id'))
    assert.equal(cache.size, 0)
  })
})

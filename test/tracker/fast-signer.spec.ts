import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { fastSigner } from '../../tracker/fast-signer.js'

describe('tracker fastSigner', () => {
  it('signs exactly as the Ed25519 key does (deterministic signatures), and verifies', async () => {
    const key = await generateKeyPair('Ed25519')
    const fast = fastSigner(key)
    for (const size of [0, 1, 100, 5000]) {
      const data = new Uint8Array(size).map((_, i) => i * 7)
      const signature = await fast.sign(data)
      assert.deepEqual(Buffer.from(signature), Buffer.from(await key.sign(data)))
      assert.equal(await key.publicKey.verify(data, signature), true)
    }
    assert.equal(fast.publicKey.toString(), key.publicKey.toString(), 'everything else is the key\'s own')
    assert.ok(fast.sign(new Uint8Array(1)) instanceof Uint8Array, 'synchronously: signTicketSync relies on it')
  })
})

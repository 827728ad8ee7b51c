import { createPrivateKey, sign } from 'node:crypto'
import type { PrivateKey } from '@libp2p/interface'

/**
 * `key` with a `sign` that reuses one node:crypto KeyObject. @libp2p/crypto imports the
 * Ed25519 key into node:crypto again at every signature, which cost the tracker about a third
 * of a millisecond per ticket (each grant and each renewal signs one). Other key types are
 * returned as they are.
 */
export function fastSigner (key: PrivateKey): PrivateKey {
  if (key.type !== 'Ed25519' || key.raw.byteLength !== 64) return key
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')
  const keyObject = createPrivateKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', d: b64(key.raw.subarray(0, 32)), x: b64(key.raw.subarray(32)) } })
  const fastSign = (data: Uint8Array | { subarray: () => Uint8Array }): Uint8Array =>
    new Uint8Array(sign(null, data instanceof Uint8Array ? data : data.subarray(), keyObject))
  return new Proxy(key, {
    get: (target, prop, receiver) => prop === 'sign' ? fastSign : Reflect.get(target, prop, receiver)
  })
}

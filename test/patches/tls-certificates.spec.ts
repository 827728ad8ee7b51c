/**
 * patches/@libp2p+tls+*.patch, certificate code: the node's certificate is built and remote
 * certificates are checked with node:crypto and a small DER reader instead of @peculiar/x509,
 * @peculiar/webcrypto and asn1js. Interop is checked against the unpatched library's own
 * code (test/fixtures/peculiar-certificates.ts) and the libp2p spec's test vectors; hostile
 * input (broken certificates, thousands of random mutations) must fail with the library's
 * two certificate errors, never anything else. Several cases fail on the unpatched library
 * (an unknown critical extension, a duplicated or non-first libp2p extension, mutations).
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { createSecureContext } from 'node:tls'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { encodeSignatureData, generateCertificate, verifyPeerCertificate } from '@libp2p/tls/utils'
import { extension, originalCertificate, originalVerify, otherSpki } from '../fixtures/peculiar-certificates.js'
import { TEST_VECTORS } from '../fixtures/tls-test-vectors.js'
import type { CertificateOptions } from '../fixtures/peculiar-certificates.js'
import type { PrivateKey } from '@libp2p/interface'

const KEY_TYPES = ['Ed25519', 'secp256k1', 'RSA'] as const
const CERT_ERRORS = new Set(['InvalidCertificateError', 'InvalidCryptoExchangeError'])

/** verify without the cache, so every call parses */
async function verify (der: Uint8Array): Promise<string> {
  return (await verifyPeerCertificate(der, undefined, undefined, false)).toString()
}

async function ours (key: PrivateKey): Promise<{ der: Uint8Array, cert: string, key: string }> {
  const generated = await generateCertificate(key)
  return { ...generated, der: new Uint8Array(new X509Certificate(generated.cert).raw) }
}

async function rejects (der: Uint8Array, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(verify(der), (err: Error) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`)
    if (message != null) assert.match(err.message, message)
    return true
  })
}

describe('patch: @libp2p/tls certificates with node:crypto', function () {
  describe('our certificates', function () {
    for (const type of KEY_TYPES) {
      it(`are accepted by the unpatched library's verification (${type} host key)`, async function () {
        const key = await generateKeyPair(type)
        const { der } = await ours(key)
        assert.equal((await originalVerify(der)).toString(), peerIdFromPrivateKey(key).toString())
        assert.equal(await verify(der), peerIdFromPrivateKey(key).toString())
      })
    }

    it('have the unpatched library\'s shape: v3, empty names, a positive serial, ecdsa-with-SHA256, the libp2p extension critical, ~1 hour back to ~100 years ahead', async function () {
      const { der, cert, key } = await ours(await generateKeyPair('Ed25519'))
      const x = new X509Certificate(der)
      // (Node 20 shows an empty name as undefined)
      assert.equal(x.subject ?? '', '')
      assert.equal(x.issuer ?? '', '')
      assert.ok(/^[1-7]/.test(x.serialNumber), `serial ${x.serialNumber} is positive`)
      assert.ok(x.verify(x.publicKey))
      assert.equal(x.publicKey.asymmetricKeyType, 'ec')
      assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
      const from = Date.parse(x.validFrom)
      const to = Date.parse(x.validTo)
      assert.ok(Math.abs(Date.now() - 60 * 60 * 1000 - from) < 10 * 60 * 1000, x.validFrom)
      assert.ok(Math.abs(Date.now() + 100 * 365 * 24 * 60 * 60 * 1000 - to) < 10 * 60 * 1000, x.validTo)
      // extensions: [3] { SEQUENCE { SEQUENCE { OID 1.3.6.1.4.1.53594.1.1, BOOLEAN TRUE, ... } } }
      const hex = Buffer.from(der).toString('hex')
      assert.ok(hex.includes('060a2b0601040183a25a01010101ff04'), 'critical libp2p extension')
      assert.ok(hex.includes('300a06082a8648ce3d040302'), 'ecdsa-with-SHA256')
      assert.match(cert, /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----$/)
      assert.match(key, /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PRIVATE KEY-----$/)
      createSecureContext({ cert, key, minVersion: 'TLSv1.3' })
    })

    it('sign the certificate\'s SubjectPublicKeyInfo bytes as they are', async function () {
      const spki = new X509Certificate((await ours(await generateKeyPair('Ed25519'))).der).publicKey.export({ type: 'spki', format: 'der' })
      const data = encodeSignatureData(spki)
      assert.deepEqual(Buffer.from(data), Buffer.concat([Buffer.from('libp2p-tls-handshake:'), spki]))
      assert.deepEqual(encodeSignatureData(new Uint8Array(spki).buffer), data)
    })
  })

  describe('the unpatched library\'s certificates', function () {
    for (const type of KEY_TYPES) {
      it(`are accepted (${type} host key)`, async function () {
        const key = await generateKeyPair(type)
        assert.equal(await verify(await originalCertificate(key)), peerIdFromPrivateKey(key).toString())
      })
    }

    it('are accepted with an unknown non-critical extension, the libp2p one not first (the spec: ignore those)', async function () {
      const key = await generateKeyPair('Ed25519')
      const der = await originalCertificate(key, { before: [extension('1.2.3.4', false)], after: [extension('1.2.3.5', false)] })
      assert.equal(await verify(der), peerIdFromPrivateKey(key).toString())
    })

    const broken: Array<[string, CertificateOptions | (() => Promise<CertificateOptions>), string, RegExp?]> = [
      ['expired', { notBefore: new Date(Date.now() - 2 * 86400_000), notAfter: new Date(Date.now() - 86400_000) }, 'InvalidCertificateError', /expired/],
      ['not valid yet', { notBefore: new Date(Date.now() + 86400_000) }, 'InvalidCertificateError', /not valid yet/],
      ['without the libp2p extension', { omitLibp2p: true }, 'InvalidCertificateError', /libp2p public key extension/],
      ['with an unknown critical extension', { after: [extension('1.2.3.4', true)] }, 'InvalidCertificateError', /critical/],
      ['with the libp2p extension twice', { duplicate: true }, 'InvalidCertificateError', /twice/],
      ['with a third field in SignedKey', { extraSignedKeyFields: 1 }, 'InvalidCertificateError', /trailing/],
      ['whose host key signed another certificate key', async () => ({ signedSpki: await otherSpki() }), 'InvalidCryptoExchangeError', /signature/],
      ['not self-issued (issuer name differs from the subject)', { issuer: 'CN=someone else' }, 'InvalidCryptoExchangeError', /self signed/]
    ]
    for (const [name, options, error, message] of broken) {
      it(`are rejected when ${name}`, async function () {
        const der = await originalCertificate(await generateKeyPair('Ed25519'), typeof options === 'function' ? await options() : options)
        await rejects(der, error, message)
      })
    }

    it('are rejected with a changed byte in the self-signed body (the self-signature)', async function () {
      const der = await originalCertificate(await generateKeyPair('Ed25519'))
      // the serial number's last byte (0102030405), inside the signed body
      const at = Buffer.from(der).indexOf(Buffer.from('0205' + '0102030405', 'hex')) + 6
      der[at] ^= 0x01
      await rejects(der, 'InvalidCryptoExchangeError', /self signature/)
    })
  })

  describe('the libp2p spec\'s test vectors', function () {
    for (const vector of TEST_VECTORS) {
      const der = new Uint8Array(Buffer.from(vector.hex, 'hex'))
      if (vector.ecdsaHostKey === true) {
        // @libp2p/crypto 5.1's unmarshalECDSAPublicKey throws a TypeError on these keys and
        // @libp2p/peer-id has no ECDSA peer ids (js-libp2p skips the ECDSA vector too)
        it(`${vector.name}: fails cleanly (js-libp2p cannot read ECDSA host keys)`, async function () {
          await rejects(der, 'InvalidCertificateError', /public key/)
        })
      } else if (vector.peerId != null) {
        it(`${vector.name}: maps to ${vector.peerId}`, async function () {
          assert.equal(await verify(der), vector.peerId)
        })
      } else {
        it(`${vector.name}: rejected (${vector.invalid})`, async function () {
          await rejects(der, 'InvalidCryptoExchangeError')
        })
      }
    }
  })

  describe('hostile input', function () {
    it('rejects a missing, empty or truncated certificate with InvalidCertificateError', async function () {
      const { der } = await ours(await generateKeyPair('Ed25519'))
      await assert.rejects(verifyPeerCertificate(undefined as unknown as Uint8Array), { name: 'InvalidCertificateError' })
      for (const length of [0, 1, 2, 4, 100, der.length - 1]) {
        await rejects(der.subarray(0, length), 'InvalidCertificateError')
      }
      await rejects(new Uint8Array([...der, 0]), 'InvalidCertificateError', /trailing/)
    })

    it('fails 3,000 random mutations of a valid certificate with the two certificate errors only', async function () {
      this.timeout(120_000)
      const key = await generateKeyPair('Ed25519')
      const peerId = peerIdFromPrivateKey(key).toString()
      const valid = (await ours(key)).der
      const random = mulberry32(0x5eed)
      const outcomes = new Map<string, number>()
      for (let i = 0; i < 3000; i++) {
        const bytes = mutate(valid, random)
        let outcome: string
        try {
          // a mutation may leave a valid certificate (in unsigned bytes), never another peer
          assert.equal(await verify(bytes), peerId)
          outcome = 'accepted'
        } catch (err: any) {
          if (!CERT_ERRORS.has(err.name)) {
            assert.fail(`mutation ${i} (${Buffer.from(bytes).toString('hex')}) threw ${err.name}: ${err.message}`)
          }
          outcome = err.name
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      }
      assert.ok((outcomes.get('InvalidCertificateError') ?? 0) > 100, JSON.stringify([...outcomes]))
      assert.ok((outcomes.get('InvalidCryptoExchangeError') ?? 0) > 100, JSON.stringify([...outcomes]))
    })
  })
})

/** A small seeded generator, so a failing mutation can be reproduced */
function mulberry32 (seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One to three byte changes, or a cut, an insertion or a deletion somewhere */
function mutate (der: Uint8Array, random: () => number): Uint8Array {
  const at = (n: number): number => Math.floor(random() * n)
  const kind = at(5)
  if (kind === 0) return der.subarray(0, at(der.length))
  if (kind === 1) {
    const i = at(der.length)
    return new Uint8Array([...der.subarray(0, i), at(256), ...der.subarray(i)])
  }
  if (kind === 2) {
    const i = at(der.length)
    return new Uint8Array([...der.subarray(0, i), ...der.subarray(i + 1 + at(4))])
  }
  const copy = new Uint8Array(der)
  for (let n = 0; n <= at(3); n++) {
    // favour the lengths and tags of the first ~200 bytes, where the structure is
    const i = kind === 3 ? at(Math.min(200, copy.length)) : at(copy.length)
    copy[i] = random() < 0.5 ? copy[i] ^ (1 << at(8)) : at(256)
  }
  return copy
}

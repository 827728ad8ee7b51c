import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { SignedTicket, TicketBody } from '../../../node/tickets/pb/ticket.js'
import { signTicket, signTicketSync, verifyTicket, decodeTicket } from '../../../node/tickets/index.js'
import type { PrivateKey, PeerId } from '@libp2p/interface'

async function cidOf (text: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text)))
}

function isInvalid (reason: string) {
  return (err: Error & { reason?: string }) => err.name === 'InvalidTicketError' && err.reason === reason
}

describe('tickets', function () {
  let trackerKey: PrivateKey
  let tracker: PeerId
  let holder: PeerId
  let other: PeerId
  let cid: CID

  before(async function () {
    trackerKey = await generateKeyPair('Ed25519')
    tracker = peerIdFromPrivateKey(trackerKey)
    holder = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    cid = await cidOf('file')
  })

  async function issue (expiresAt = Date.now() + 60_000, key = trackerKey, issuer = tracker.toString()) {
    return signTicket(key, { cid, holder, expiresAt, providers: [{ peerId: tracker.toString(), multiaddrs: [] }] }, issuer)
  }

  it('verifies a ticket signed by the tracker, for its holder and cid', async function () {
    const ticket = await issue()
    const checked = await verifyTicket(ticket.bytes, { tracker, presenter: holder, cid })
    assert.equal(checked.cid.toString(), cid.toString())
    assert.equal(checked.holder, holder.toString())
    assert.equal(checked.providers[0].peerId, tracker.toString())
    assert.deepEqual(decodeTicket(ticket.bytes).ticketId, checked.ticketId)
  })

  it('refuses a ticket presented by a peer that is not the holder', async function () {
    const ticket = await issue()
    await assert.rejects(verifyTicket(ticket.bytes, { tracker, presenter: other, cid }), isInvalid('not the holder'))
  })

  it('refuses an expired ticket', async function () {
    const ticket = await issue(Date.now() - 1)
    await assert.rejects(verifyTicket(ticket.bytes, { tracker, presenter: holder, cid }), isInvalid('expired'))
  })

  it('refuses a ticket for another cid', async function () {
    const ticket = await issue()
    await assert.rejects(verifyTicket(ticket.bytes, { tracker, presenter: holder, cid: await cidOf('other') }), isInvalid('wrong cid'))
  })

  it('refuses a forged ticket: body changed after signing', async function () {
    const ticket = await issue()
    const signed = SignedTicket.decode(ticket.bytes)
    const body = TicketBody.decode(signed.body)
    body.holder = other.toString()
    const forged = SignedTicket.encode({ body: TicketBody.encode(body), signature: signed.signature })
    await assert.rejects(verifyTicket(forged, { tracker, presenter: other, cid }), isInvalid('bad signature'))
  })

  it('refuses a ticket signed by a different tracker, even one claiming to be ours', async function () {
    const rogue = await generateKeyPair('Ed25519')
    const ticket = await issue(undefined, rogue, tracker.toString())
    await assert.rejects(verifyTicket(ticket.bytes, { tracker, presenter: holder, cid }), isInvalid('bad signature'))
  })

  it('refuses garbage', async function () {
    await assert.rejects(verifyTicket(Uint8Array.from([1, 2, 3, 4, 5]), { tracker, presenter: holder }), isInvalid('malformed'))
    await assert.rejects(verifyTicket(new Uint8Array(0), { tracker, presenter: holder }), (err: Error) => err.name === 'InvalidTicketError')
  })

  it('signs synchronously a ticket the verifier accepts, byte for byte the async one', async function () {
    const fields = { cid, holder, expiresAt: Date.now() + 60_000, issuedAt: 1_000, ticketId: new Uint8Array(16).fill(7), providers: [{ peerId: tracker.toString(), multiaddrs: [new Uint8Array([4, 127, 0, 0, 1])] }] }
    const sync = signTicketSync(trackerKey, fields, tracker.toString())
    assert.ok(!(sync instanceof Promise))
    // Ed25519 signatures are deterministic: same body, same key, same bytes
    assert.deepEqual(sync.bytes, (await signTicket(trackerKey, fields, tracker.toString())).bytes)
    const verified = await verifyTicket(sync.bytes, { tracker, presenter: holder, cid })
    assert.equal(verified.holder, holder.toString())
    assert.equal(SignedTicket.decode(sync.bytes).signature.byteLength, 64)
  })

  it('refuses to sign synchronously with a key that signs asynchronously', async function () {
    const asyncKey = new Proxy(trackerKey, { get: (t, p, r) => p === 'sign' ? async (data: Uint8Array) => await t.sign(data) : Reflect.get(t, p, r) })
    assert.throws(() => signTicketSync(asyncKey, { cid, holder, expiresAt: Date.now() + 60_000, providers: [] }, tracker.toString()), { name: 'TypeError' })
  })
})

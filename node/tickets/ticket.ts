import { randomBytes } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { InvalidTicketError } from '../errors.js'
import { SignedTicket, TicketBody } from './pb/ticket.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export { SignedTicket, TicketBody }

/** Prepended to the body before signing, so a ticket signature can never be replayed as another message's. */
export const TICKET_DOMAIN = new TextEncoder().encode('mediaswarm/ticket/v1\0')
const TICKET_VERSION = 1
/** Largest encoded ticket accepted from a remote. */
export const MAX_TICKET_BYTES = 16 * 1024

/** A provider named by a ticket. */
export interface TicketProviderInfo {
  peerId: string
  multiaddrs: Uint8Array[]
}

/** What the tracker puts in a ticket. */
export interface TicketFields {
  cid: CID
  holder: PeerId | string
  expiresAt: number
  providers: TicketProviderInfo[]
  /** @default now */
  issuedAt?: number
  /** @default 16 random bytes */
  ticketId?: Uint8Array
}

/** A decoded ticket together with its encoding. */
export interface Ticket extends Omit<TicketBody, 'cid'> {
  cid: CID
  /** The SignedTicket encoding, to present to providers. */
  bytes: Uint8Array<ArrayBuffer>
}

function withDomain (body: Uint8Array): Uint8Array {
  const out = new Uint8Array(TICKET_DOMAIN.byteLength + body.byteLength)
  out.set(TICKET_DOMAIN, 0)
  out.set(body, TICKET_DOMAIN.byteLength)
  return out
}

function ticketBody (fields: TicketFields, issuer: string): TicketBody {
  return {
    version: TICKET_VERSION,
    ticketId: new Uint8Array(fields.ticketId ?? randomBytes(16)),
    cid: new Uint8Array(fields.cid.bytes),
    holder: fields.holder.toString(),
    issuer,
    issuedAt: fields.issuedAt ?? Date.now(),
    expiresAt: fields.expiresAt,
    providers: fields.providers.map(p => ({ peerId: p.peerId, multiaddrs: p.multiaddrs.map(m => new Uint8Array(m)) }))
  }
}

function sealTicket (body: TicketBody, bodyBytes: Uint8Array<ArrayBuffer>, signature: Uint8Array, cid: CID): Ticket {
  const bytes = SignedTicket.encode({ body: bodyBytes, signature: new Uint8Array(signature) })
  return { ...body, cid, bytes }
}

/** Signs a ticket with the tracker's key. */
export async function signTicket (key: PrivateKey, fields: TicketFields, issuer: string): Promise<Ticket> {
  const body = ticketBody(fields, issuer)
  const bodyBytes = TicketBody.encode(body)
  const signature = await key.sign(withDomain(bodyBytes))
  return sealTicket(body, bodyBytes, signature, fields.cid)
}

/**
 * {@link signTicket} in the caller's own turn of the event loop, for keys that sign
 * synchronously (Ed25519 in Node: @libp2p/crypto returns the signature, not a promise). The
 * ticket is the same as signTicket's. Throws TypeError when the key signs asynchronously.
 */
export function signTicketSync (key: PrivateKey, fields: TicketFields, issuer: string): Ticket {
  const body = ticketBody(fields, issuer)
  const bodyBytes = TicketBody.encode(body)
  const signature = key.sign(withDomain(bodyBytes))
  if (!(signature instanceof Uint8Array)) {
    // a promise: nobody waits for it, so a rejection must not go unhandled
    void Promise.resolve(signature).catch(() => {})
    throw new TypeError(`A ${key.type} key does not sign synchronously`)
  }
  return sealTicket(body, bodyBytes, signature, fields.cid)
}

/** What a verifier checks a ticket against. */
export interface VerifyTicketOptions {
  /** The tracker whose tickets are honoured. */
  tracker: PeerId | string
  /** The authenticated remote peer presenting the ticket (`connection.remotePeer`). */
  presenter: PeerId | string
  /** When given, the ticket must be for this cid. */
  cid?: CID
  /** @default Date.now() */
  now?: number
}

/** Decodes a SignedTicket without checking it (for the holder's own use). */
export function decodeTicket (bytes: Uint8Array): Ticket {
  if (bytes.byteLength > MAX_TICKET_BYTES) throw new InvalidTicketError('too large')
  try {
    const signed = SignedTicket.decode(bytes)
    const body = TicketBody.decode(signed.body)
    return { ...body, cid: CID.decode(body.cid), bytes: new Uint8Array(bytes) }
  } catch (err) {
    throw new InvalidTicketError('malformed', { cause: err })
  }
}

/**
 * Verifies a ticket: signature by the tracker's key over the domain-separated body, issuer,
 * version, holder == presenter, cid, expiry. Throws InvalidTicketError naming the reason.
 */
export async function verifyTicket (bytes: Uint8Array, options: VerifyTicketOptions): Promise<Ticket> {
  if (bytes.byteLength > MAX_TICKET_BYTES) throw new InvalidTicketError('too large')
  let signed: SignedTicket
  let body: TicketBody
  try {
    signed = SignedTicket.decode(bytes)
    body = TicketBody.decode(signed.body)
  } catch (err) {
    throw new InvalidTicketError('malformed', { cause: err })
  }
  const tracker = typeof options.tracker === 'string' ? peerIdFromString(options.tracker) : options.tracker
  if (tracker.publicKey == null) throw new InvalidTicketError('tracker key unknown')
  let valid = false
  try {
    valid = await tracker.publicKey.verify(withDomain(signed.body), signed.signature)
  } catch {}
  if (!valid) throw new InvalidTicketError('bad signature')
  if (body.version !== TICKET_VERSION) throw new InvalidTicketError(`unsupported version ${body.version}`)
  if (body.issuer !== tracker.toString()) throw new InvalidTicketError('wrong issuer')
  if (body.holder !== options.presenter.toString()) throw new InvalidTicketError('not the holder')
  let cid: CID
  try {
    cid = CID.decode(body.cid)
  } catch (err) {
    throw new InvalidTicketError('malformed cid', { cause: err })
  }
  if (options.cid != null && cid.toString() !== options.cid.toString()) throw new InvalidTicketError('wrong cid')
  if (body.expiresAt <= (options.now ?? Date.now())) throw new InvalidTicketError('expired')
  return { ...body, cid, bytes: new Uint8Array(bytes) }
}

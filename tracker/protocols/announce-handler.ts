import { CID } from 'multiformats/cid'
import {
  AnnounceRequest, AnnounceResponse, FIRST_MESSAGE_TIMEOUT_MS, MAX_REQUEST_BYTES, StreamReader, expectMessage, withDeadline, writeMessage
} from '../../node/index.js'
import { holdingBits } from '../providers/index.js'
import type { TrackerContext } from './context.js'
import type { TicketRequest } from '../ticket-issuer.js'
import type { Bitfield } from '../../node/index.js'
import type { Connection, Stream } from '@libp2p/interface'

/**
 * One announcement: what a peer holds (have/lost/bye; recorded only for files it was granted),
 * a finished transfer (done, which frees its slot and ends its tickets; byte counts clamped),
 * a ticket renewal (which may carry what the peer holds so far, and returns a fresh ticket
 * naming the current providers), or a report of a bad provider (see ProviderIndex).
 */
export async function handleAnnounce (ctx: TrackerContext, stream: Stream, connection: Connection): Promise<void> {
  const peerId = connection.remotePeer.toString()
  const reader = new StreamReader(stream)
  const req = await withDeadline(FIRST_MESSAGE_TIMEOUT_MS, async (signal) => await expectMessage(reader, AnnounceRequest, MAX_REQUEST_BYTES, signal))
  const reply = async (fields: Partial<AnnounceResponse>): Promise<void> => {
    await writeMessage(stream, { ok: true, message: '', ticket: new Uint8Array(0), ...fields }, AnnounceResponse)
    await stream.close()
  }
  if (req.type === AnnounceRequest.Type.BYE) {
    ctx.providers.removePeer(peerId)
    await reply({})
    return
  }
  // what the peer knows of its own reachability (upnp, hole-punched); see PeerReachability
  if (req.reachability !== '') ctx.host.services.reachability?.report(peerId, req.reachability.slice(0, 32))
  // past its start-up (catalogue, manifest, queue): its dial-back need not wait any longer
  ctx.host.services.reachability?.checkNow(peerId)
  let cid: string
  try {
    cid = CID.decode(req.cid).toString()
  } catch {
    await reply({ ok: false, message: 'Malformed cid' })
    return
  }
  const entry = ctx.catalogue.get(cid)
  switch (req.type) {
    case AnnounceRequest.Type.HAVE: {
      if (entry == null) { await reply({ ok: false, message: 'Unknown cid' }); return }
      const named = recordHolding(ctx, peerId, cid, holdingBits(req, entry.pieceCount))
      // accepted either way (an older client need not fail), but said plainly
      await reply({ message: named ? '' : 'Not recorded: peers are named as providers of a file only after a grant for it' })
      return
    }
    case AnnounceRequest.Type.LOST:
      ctx.providers.lost(peerId, cid)
      await reply({})
      return
    case AnnounceRequest.Type.REPORT: {
      if (entry == null) { await reply({ ok: false, message: 'Unknown cid' }); return }
      const outcome = ctx.providers.report(peerId, req.provider.slice(0, 128), cid)
      ctx.log('%p reported %s for %s (%s): %s', connection.remotePeer, req.provider.slice(0, 128), cid, req.reason.slice(0, 32), outcome)
      await reply({ message: outcome })
      return
    }
    case AnnounceRequest.Type.DONE:
    case AnnounceRequest.Type.RENEW: {
      const request = requestOf(ctx, peerId, req)
      if (request == null || request.cid !== cid) {
        await reply({ ok: false, message: req.requestId !== '' ? 'Unknown request' : 'Unknown ticket' })
        return
      }
      if (req.type === AnnounceRequest.Type.DONE) {
        ctx.queue.release(request, req.success)
        ctx.tickets.forget(request)
        ctx.stats.done(peerId, cid, { fromTracker: req.bytesFromTracker, fromPeers: req.bytesFromPeers, success: req.success }, entry?.size ?? 0)
        await reply({})
        return
      }
      if (entry != null && (req.complete || req.ranges.length > 0 || req.bitfield.byteLength > 0)) {
        recordHolding(ctx, peerId, cid, holdingBits(req, entry.pieceCount))
      }
      // extended only when the grant made progress since the previous renewal
      const grant = ctx.queue.renew(request)
      if (grant == null) { await reply({ ok: false, message: 'The grant is gone' }); return }
      const ticket = await ctx.tickets.issue(grant)
      await reply({ ticket: ticket.bytes })
      return
    }
    default:
      await reply({ ok: false, message: 'Unknown announcement' })
  }
}

/** The request a DONE or RENEW is about: by (peer, requestId) when given, else by ticket id. */
function requestOf (ctx: TrackerContext, peerId: string, req: AnnounceRequest): TicketRequest | undefined {
  if (req.requestId !== '') {
    const key = { peerId, requestId: req.requestId.slice(0, 128) }
    const cid = ctx.tickets.cidOf(key)
    return cid == null ? undefined : { ...key, cid }
  }
  const request = ctx.tickets.requestOf(req.ticketId)
  return request?.peerId === peerId ? request : undefined
}

/**
 * Records what `peer` holds of `cid`; a grown bitfield counts as progress of its grant for
 * that file. Returns false when the peer may not be named for `cid` (no grant yet).
 */
function recordHolding (ctx: TrackerContext, peer: string, cid: string, bits: Bitfield): boolean {
  const before = ctx.providers.holding(peer, cid)?.bits.count ?? 0
  if (!ctx.providers.have(peer, cid, bits)) return false
  if (bits.count > before) {
    const grant = ctx.queue.grantOf(peer, cid)
    if (grant != null) ctx.queue.progress(grant)
  }
  return true
}

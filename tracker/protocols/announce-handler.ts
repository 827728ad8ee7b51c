import { CID } from 'multiformats/cid'
import {
  AnnounceRequest, AnnounceResponse, FIRST_MESSAGE_TIMEOUT_MS, MAX_REQUEST_BYTES, StreamReader, expectMessage, writeMessage
} from '../../node/index.js'
import type { TrackerContext } from './context.js'
import type { Connection, Stream } from '@libp2p/interface'

/**
 * One announcement: what a peer holds (have/lost/bye), a finished transfer (done, which
 * frees its slot), or a ticket renewal (which may carry what the peer holds so far, and
 * returns a fresh ticket naming the current providers).
 */
export async function handleAnnounce (ctx: TrackerContext, stream: Stream, connection: Connection): Promise<void> {
  const peerId = connection.remotePeer.toString()
  const reader = new StreamReader(stream)
  const req = await expectMessage(reader, AnnounceRequest, MAX_REQUEST_BYTES, AbortSignal.timeout(FIRST_MESSAGE_TIMEOUT_MS))
  const reply = async (fields: Partial<AnnounceResponse>): Promise<void> => {
    await writeMessage(stream, { ok: true, message: '', ticket: new Uint8Array(0), ...fields }, AnnounceResponse)
    await stream.close()
  }
  if (req.type === AnnounceRequest.Type.BYE) {
    ctx.providers.removePeer(peerId)
    await reply({})
    return
  }
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
      const ranges = req.ranges.filter(r => r.start < r.end && r.end <= entry.pieceCount)
      ctx.providers.have(peerId, cid, { complete: req.complete, ranges })
      await reply({})
      return
    }
    case AnnounceRequest.Type.LOST:
      ctx.providers.lost(peerId, cid)
      await reply({})
      return
    case AnnounceRequest.Type.DONE:
    case AnnounceRequest.Type.RENEW: {
      const request = ctx.tickets.requestOf(req.ticketId)
      if (request == null || request.peerId !== peerId || request.cid !== cid) {
        await reply({ ok: false, message: 'Unknown ticket' })
        return
      }
      if (req.type === AnnounceRequest.Type.DONE) {
        ctx.queue.release(request, req.success)
        ctx.tickets.forget(request)
        ctx.stats.done(cid, req.bytesFromPeers, req.success)
        await reply({})
        return
      }
      const grant = ctx.queue.renew(request)
      if (grant == null) { await reply({ ok: false, message: 'The grant is gone' }); return }
      if (entry != null && (req.complete || req.ranges.length > 0)) {
        ctx.providers.have(peerId, cid, { complete: req.complete, ranges: req.ranges.filter(r => r.start < r.end && r.end <= entry.pieceCount) })
      }
      const ticket = await ctx.tickets.issue(grant)
      await reply({ ticket: ticket.bytes })
      return
    }
    default:
      await reply({ ok: false, message: 'Unknown announcement' })
  }
}

import { CID } from 'multiformats/cid'
import {
  FIRST_MESSAGE_TIMEOUT_MS, MAX_REQUEST_BYTES, QueueRefusedError, QueueRequest, QueueUpdate, StreamReader, expectMessage, withDeadline
} from '../../node/index.js'
import { sourceOf } from '../queue/index.js'
import { PositionBoard } from './position-board.js'
import { UpdateWriter, queueUpdate as update } from './update-writer.js'
import type { TrackerContext } from './context.js'
import type { Grant, QueueEvent } from '../queue/index.js'
import type { Connection, Stream } from '@libp2p/interface'

/** While waiting, the last position is re-sent this often so clients can tell a live queue from a dead one. */
export const QUEUE_HEARTBEAT_MS = 30_000
const MAX_REQUEST_ID_LENGTH = 128

/** One position board per queue (per tracker). */
const boards = new WeakMap<object, PositionBoard>()

function positionBoardOf (ctx: TrackerContext): PositionBoard {
  let board = boards.get(ctx.queue)
  if (board == null) {
    const queue = ctx.queue
    board = new PositionBoard(() => queue.waitingView())
    boards.set(queue, board)
  }
  return board
}

/**
 * One queue request: pushes positions while the peer waits, then the signed ticket, or a
 * typed refusal. A client that goes away while waiting keeps its place for the grace period.
 */
export async function handleQueue (ctx: TrackerContext, stream: Stream, connection: Connection): Promise<void> {
  const peerId = connection.remotePeer.toString()
  const reader = new StreamReader(stream)
  const req = await withDeadline(FIRST_MESSAGE_TIMEOUT_MS, async (signal) => await expectMessage(reader, QueueRequest, MAX_REQUEST_BYTES, signal))
  const writer = new UpdateWriter(stream, { board: positionBoardOf(ctx), key: { peerId, requestId: req.requestId } })
  const refuse = async (refusal: QueueUpdate.Refusal, message: string, retryAfterMs = 0): Promise<void> => {
    ctx.onRefused?.(refusal)
    writer.final(update({ type: QueueUpdate.Type.REFUSED, refusal, message, retryAfterMs }))
    await writer.flush()
    await stream.close()
  }
  let cid: string
  try {
    cid = CID.decode(req.cid).toString()
  } catch {
    await refuse(QueueUpdate.Refusal.BAD_REQUEST, 'Malformed cid')
    return
  }
  if (req.requestId.length === 0 || req.requestId.length > MAX_REQUEST_ID_LENGTH) {
    await refuse(QueueUpdate.Refusal.BAD_REQUEST, 'A request id of 1 to 128 characters is required')
    return
  }
  if (ctx.catalogue.get(cid) == null) {
    await refuse(QueueUpdate.Refusal.UNKNOWN_CID, `No file with cid ${cid} is in the catalogue`)
    return
  }
  const key = { peerId, requestId: req.requestId }
  let settled = false
  /** When the queue granted the request (performance.now()), to measure the ticket's latency. */
  let grantedAt = 0
  /** When the ticket was handed to the stream, if that happened in the grant's own turn. */
  let sentAt: number | undefined
  let sentNow = false
  let waited = false
  let resolveGrant!: (grant: Grant) => void
  let rejectGrant!: (err: Error) => void
  const granted = new Promise<Grant>((resolve, reject) => { resolveGrant = resolve; rejectGrant = reject })
  const listener = (event: QueueEvent): void => {
    if (event.type === 'position') {
      waited = true
      writer.position(event.position, event.waiting, event.etaMs)
    } else if (event.type === 'granted') {
      settled = true
      grantedAt = performance.now()
      sentNow = sendTicketNow(ctx, writer, event.grant)
      if (sentNow && writer.sent) sentAt = performance.now()
      resolveGrant(event.grant)
    } else {
      settled = true
      rejectGrant(new Error('The request expired'))
    }
  }
  try {
    // counted per source address (IPv4 address or IPv6 /64) against the queue's maxPerSource
    ctx.queue.request({ peerId, requestId: req.requestId, cid, source: sourceOf(connection.remoteAddr) }, listener)
  } catch (err) {
    if (!(err instanceof QueueRefusedError)) throw err
    const refusal = (QueueUpdate.Refusal as unknown as Record<string, QueueUpdate.Refusal>)[err.refusal] ?? QueueUpdate.Refusal.BAD_REQUEST
    await refuse(refusal, err.message, err.retryAfterMs)
    return
  }
  // the client went away before its turn: it keeps its place for the grace period (a new
  // stream with the same requestId takes it over), and this handler ends now
  let gone = false
  const onClose = (): void => {
    if (settled) return
    settled = true
    gone = true
    ctx.queue.detach(key)
    rejectGrant(new Error('The client went away'))
  }
  stream.addEventListener('close', onClose)
  // it may have gone before we listened
  if (stream.status !== 'open') onClose()
  const heartbeat = setInterval(() => {
    writer.repeat()
  }, QUEUE_HEARTBEAT_MS)
  heartbeat.unref()
  try {
    let grant: Grant
    try {
      grant = await granted
    } catch (err) {
      if (gone) return
      throw err
    }
    if (!sentNow) {
      const ticket = await ctx.tickets.issue(grant)
      writer.final(update({ type: QueueUpdate.Type.TICKET, ticket: ticket.bytes }))
    }
    ctx.log('granted %s to %p (request %s)', cid, connection.remotePeer, req.requestId)
    try {
      await writer.flush()
    } catch (err) {
      // the ticket never arrived: the slot waits a grace period for the peer, not a lease
      ctx.queue.detach(key)
      throw err
    }
    ctx.onTicketSent?.({ grant, waited, grantedAt, latencyMs: (sentAt ?? performance.now()) - grantedAt, inGrantTurn: sentAt != null })
    // the peer has what it came for: its dial-back (held back meanwhile) may run
    ctx.host.services.reachability?.checkNow(peerId)
    await stream.close()
  } finally {
    writer.stop()
    clearInterval(heartbeat)
    stream.removeEventListener('close', onClose)
  }
}

/**
 * Issues the ticket and hands it to the stream from the grant event itself, so nothing queued
 * behind the grant (other peers' positions, I/O) delays it; false when the ticket needs the
 * asynchronous path (addresses to read), which the handler then takes.
 */
function sendTicketNow (ctx: TrackerContext, writer: UpdateWriter, grant: Grant): boolean {
  let ticket
  try {
    ticket = ctx.tickets.issueNow(grant)
  } catch (err) {
    ctx.log.error('could not issue a ticket at once - %e', err)
    return false
  }
  if (ticket == null) return false
  writer.final(update({ type: QueueUpdate.Type.TICKET, ticket: ticket.bytes }))
  return true
}

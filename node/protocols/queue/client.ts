import { QueueRefusedError, ProtocolError, InvalidTicketError } from '../../errors.js'
import { StreamReader, readMessage, writeMessage } from '../../streams/index.js'
import { verifyTicket } from '../../tickets/index.js'
import { MAX_QUEUE_UPDATE_BYTES, QUEUE_PROTOCOL, RESPONSE_TIMEOUT_MS } from '../constants.js'
import { QueueRequest, QueueUpdate } from './pb/queue.js'
import type { Host } from '../../host/index.js'
import type { Ticket } from '../../tickets/index.js'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** How long a waiting client accepts silence from the tracker (it re-sends the position as a heartbeat). */
export const QUEUE_SILENCE_TIMEOUT_MS = 90_000

/** A position update while waiting. */
export interface QueuePosition {
  position: number
  waiting: number
  etaMs: number
}

/** Options of {@link requestTicket}. */
export interface RequestTicketOptions {
  cid: CID
  /** Chosen by the client; asking again with it after a reconnect keeps the place. */
  requestId: string
  onPosition?: (position: QueuePosition) => void
  signal?: AbortSignal
}

/**
 * Joins the tracker's queue for a cid and waits for the ticket, reporting each pushed
 * position. The ticket is verified (signed by the tracker, held by us, for this cid).
 */
export async function requestTicket (host: Host, tracker: PeerId, options: RequestTicketOptions): Promise<Ticket> {
  const dialSignal = AbortSignal.timeout(RESPONSE_TIMEOUT_MS)
  const stream = await host.dialProtocol(tracker, QUEUE_PROTOCOL, {
    signal: options.signal == null ? dialSignal : AbortSignal.any([options.signal, dialSignal])
  })
  try {
    const reader = new StreamReader(stream)
    await writeMessage(stream, { cid: new Uint8Array(options.cid.bytes), requestId: options.requestId }, QueueRequest, options.signal)
    for (;;) {
      const silence = AbortSignal.timeout(QUEUE_SILENCE_TIMEOUT_MS)
      const update = await readMessage(reader, QueueUpdate, MAX_QUEUE_UPDATE_BYTES, options.signal == null ? silence : AbortSignal.any([options.signal, silence]))
      if (update == null) throw new ProtocolError('The tracker closed the queue stream without a ticket')
      if (update.type === QueueUpdate.Type.POSITION) {
        options.onPosition?.({ position: update.position, waiting: update.waiting, etaMs: update.etaMs })
      } else if (update.type === QueueUpdate.Type.TICKET) {
        const ticket = await verifyTicket(update.ticket, { tracker, presenter: host.peerId, cid: options.cid })
        await stream.close().catch(() => {})
        return ticket
      } else if (update.type === QueueUpdate.Type.REFUSED) {
        const refusal = QueueUpdate.Refusal[update.refusal] ?? 'UNKNOWN'
        throw new QueueRefusedError(String(refusal), update.message, update.retryAfterMs)
      } else {
        throw new ProtocolError('Unexpected queue update')
      }
    }
  } catch (err) {
    if (!(err instanceof QueueRefusedError || err instanceof InvalidTicketError)) stream.abort(err as Error)
    throw err
  }
}

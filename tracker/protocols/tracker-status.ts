import { CID } from 'multiformats/cid'
import { reachabilityCounts, reachabilityOf } from '../providers/reachable-addresses.js'
import type { TrackerContext } from './context.js'
import type { TrackerStatus } from '../../node/protocols/catalogue/pb/catalogue.js'

/** Queue entries listed in a status reply, at most. */
const MAX_QUEUE_LISTED = 1000
/** Holders listed per file in the operator's view, at most. */
const MAX_HOLDERS_LISTED = 1000

/**
 * What `mediaswarm status` shows: the queue, connected peers, and per-file offload. Anyone
 * gets the aggregate counts; who queued what, which peers are connected and which hold what
 * only the operator (`ctx.isAdmin(asker)`).
 */
export function trackerStatus (ctx: TrackerContext, asker: string): TrackerStatus {
  const operator = ctx.isAdmin(asker)
  const stats = ctx.queue.stats()
  const providers = ctx.providers.counts()
  const byFile = ctx.stats.byFile()
  const cids = new Set([...Object.keys(byFile), ...Object.keys(providers)])
  const transfers = [...cids].map(cid => {
    const entry = ctx.catalogue.get(cid)
    const s = byFile[cid] ?? { servedByTracker: 0, servedByPeers: 0, completed: 0 }
    return {
      cid: new Uint8Array(CID.parse(cid).bytes),
      path: entry?.path ?? '',
      size: entry?.size ?? 0,
      servedByTracker: s.servedByTracker,
      servedByPeers: s.servedByPeers,
      completed: s.completed,
      providers: providers[cid] ?? 0,
      holders: operator ? ctx.providers.holders(cid).slice(0, MAX_HOLDERS_LISTED) : []
    }
  })
  const queue = !operator
    ? []
    : [
        ...ctx.queue.grants().map(g => ({ peerId: g.peerId, cid: new Uint8Array(CID.parse(g.cid).bytes), granted: true, since: g.grantedAt })),
        ...ctx.queue.waiting().map(w => ({ peerId: w.peerId, cid: new Uint8Array(CID.parse(w.cid).bytes), granted: false, since: w.arrivedAt }))
      ].slice(0, MAX_QUEUE_LISTED)
  const connected = ctx.host.getPeers()
  const others = connected.map(String).filter(p => p !== asker)
  return {
    peerId: ctx.host.peerId.toString(),
    files: ctx.catalogue.size,
    slots: stats.slots,
    waiting: stats.waiting,
    granted: stats.granted,
    connectedPeers: operator ? connected.map(String).slice(0, 10_000) : [],
    connected: connected.length,
    transfers,
    queue,
    operator,
    uptimeMs: Math.round(performance.now()),
    reachability: reachabilityCounts(ctx.host, others),
    peers: operator ? connected.slice(0, 10_000).map(p => ({ peerId: p.toString(), reachability: reachabilityOf(ctx.host, p.toString()) })) : [],
    relayReserved: ctx.host.services.relay?.reservations.size ?? 0,
    relaySlots: ctx.host.services.relayLimits?.slots ?? 0
  }
}

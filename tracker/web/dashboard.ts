import { baseName } from './catalogue-view.js'
import type { HistorySample } from '../history.js'
import type { ConnectedPeers, Reachability } from '../metrics/index.js'
import type { WebSource } from './types.js'

/** Queue entries listed in a dashboard, at most (the counts are always complete). */
export const MAX_DASHBOARD_ENTRIES = 200
/** Peers listed to the operator, at most. */
export const MAX_DASHBOARD_PEERS = 1000
/** Files listed, at most (the busiest first). */
export const MAX_DASHBOARD_FILES = 500
/** History samples in a dashboard unless asked otherwise: the last five minutes. */
export const DEFAULT_DASHBOARD_HISTORY = 300

/** One request in the dashboard's queue. */
export interface DashboardEntry {
  /** Waiting: its place in the line (1 = granted next). Granted: 0. */
  position: number
  cid: string
  name: string
  state: 'waiting' | 'granted'
  /** Waiting: since arrival. Granted: how long it waited before its grant. */
  waitedMs: number
  /** The requester's PeerId (operator only). */
  peer?: string
}

/** One connected peer (operator only). */
export interface DashboardPeer {
  peer: string
  reachability: Reachability
  /** Files it holds (any piece), as it announced them. */
  holds: number
  /** Bytes per second; see PeerRates. */
  uploadRate: number
  downloadRate: number
}

/** `GET /api/dashboard`, and each `dashboard` event of `GET /api/events`. */
export interface Dashboard {
  at: number
  operator: boolean
  queue: { length: number, slots: number, granted: number, entries: DashboardEntry[] }
  peers: {
    count: number
    byReachability: { public: number, upnp: number, holePunched: number, relayOnly: number, unknown: number }
    list?: DashboardPeer[]
  }
  files: Array<{ cid: string, name: string, bytesFromTracker: number, bytesFromPeers: number }>
  /** Bytes per second the tracker uploaded over the last sample. */
  uploadRate: number
  history: HistorySample[]
}

function nameOf (src: WebSource, cid: string): string {
  const entry = src.catalogue.get(cid)
  return entry == null ? '' : baseName(entry.path)
}

function queueView (src: WebSource, operator: boolean, now: number): Dashboard['queue'] {
  const stats = src.queue.stats()
  const entries: DashboardEntry[] = []
  const add = (e: DashboardEntry, peer: string): void => {
    if (operator) e.peer = peer
    entries.push(e)
  }
  for (const g of src.queue.grants()) {
    if (entries.length >= MAX_DASHBOARD_ENTRIES) break
    add({ position: 0, cid: g.cid, name: nameOf(src, g.cid), state: 'granted', waitedMs: Math.max(0, g.grantedAt - g.arrivedAt) }, g.peerId)
  }
  if (entries.length < MAX_DASHBOARD_ENTRIES) {
    let position = 0
    for (const w of src.queue.waiting()) {
      if (entries.length >= MAX_DASHBOARD_ENTRIES) break
      add({ position: ++position, cid: w.cid, name: nameOf(src, w.cid), state: 'waiting', waitedMs: Math.max(0, now - w.arrivedAt) }, w.peerId)
    }
  }
  return { length: stats.waiting, slots: stats.slots, granted: stats.granted, entries }
}

/** Files each peer holds, from the provider index. */
function holdings (src: WebSource): Map<string, number> {
  const out = new Map<string, number>()
  for (const cid of Object.keys(src.providers.counts())) {
    for (const peer of src.providers.holders(cid)) out.set(peer, (out.get(peer) ?? 0) + 1)
  }
  return out
}

function peersView (src: WebSource, connected: ConnectedPeers, operator: boolean): Dashboard['peers'] {
  const r = connected.byReachability
  const view: Dashboard['peers'] = {
    count: connected.count,
    byReachability: { public: r.public, upnp: r.upnp, holePunched: r['hole-punched'], relayOnly: r['relay-only'], unknown: r.unknown }
  }
  if (!operator) return view
  const holds = holdings(src)
  view.list = connected.peers.slice(0, MAX_DASHBOARD_PEERS).map(({ peer, reachability }) => {
    const rates = src.peerRates(peer)
    return { peer, reachability, holds: holds.get(peer) ?? 0, uploadRate: rates.uploadRate, downloadRate: rates.downloadRate }
  })
  return view
}

function filesView (src: WebSource): Dashboard['files'] {
  return Object.entries(src.stats.byFile())
    .map(([cid, s]) => ({ cid, name: nameOf(src, cid), bytesFromTracker: s.servedByTracker, bytesFromPeers: s.servedByPeers }))
    .sort((a, b) => (b.bytesFromTracker + b.bytesFromPeers) - (a.bytesFromTracker + a.bytesFromPeers))
    .slice(0, MAX_DASHBOARD_FILES)
}

/**
 * The dashboard: the queue, connected peers, per-file offload, the tracker's upload rate and
 * its history. Everyone sees counts, the queue's files and waits; who queued (PeerIds) and
 * the per-peer list only the operator.
 */
export function buildDashboard (src: WebSource, operator: boolean, historyLimit = DEFAULT_DASHBOARD_HISTORY): Dashboard {
  const now = Date.now()
  return {
    at: now,
    operator,
    queue: queueView(src, operator, now),
    peers: peersView(src, src.connectedPeers(), operator),
    files: filesView(src),
    uploadRate: src.history.latest()?.uploadRate ?? 0,
    history: src.history.samples(historyLimit)
  }
}


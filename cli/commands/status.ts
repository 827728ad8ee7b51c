import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { IDENTITY_FILE } from '../../node/host/identity.js'
import { ADMIN_HOME, TRACKER_ADDR_FILE } from '../../tracker/constants.js'
import { baseHome, explainUnreachable, homeOf, networkOptions, parseMultiaddr, readNetworkOptions, trackerAddresses } from '../context.js'
import { openHome } from '../home.js'
import { formatBytes, table } from '../output/format.js'
import { summaryOf } from './registry.js'
import type { Command, CommandContext } from '../command.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/** `status --json` output. */
export interface StatusResult {
  tracker: string
  files: number
  /** The tracker showed the operator's view: queue entries, connected PeerIds and holders. */
  operator: boolean
  queue: { slots: number, granted: number, waiting: number, entries: Array<{ peerId: string, cid: string, granted: boolean, since: number }> }
  /** Peers connected to the tracker (this one included). */
  connected: number
  /** Operator's view only: their PeerIds, this one left out. */
  connectedPeers: string[]
  /**
   * Connected peers (this one left out) by how they can be reached: public (dialled back
   * directly), upnp (a port their router mapped), hole-punched, relay-only (through the
   * tracker's relay: coordination only), unknown.
   */
  reachability: { public: number, upnp: number, holePunched: number, relayOnly: number, unknown: number }
  /** Operator's view only: how each connected peer can be reached (this one left out). */
  peers: Array<{ peerId: string, reachability: string }>
  /** The tracker's circuit relay: reservations held, and the most it takes (0: no relay). */
  relay: { reserved: number, slots: number }
  transfers: Array<{ cid: string, path: string, size: number, servedByTracker: number, servedByPeers: number, offload: number, completed: number, providers: number, holders: string[] }>
}

/** Entries of the operator's view printed by the text rendering (all of them with --json). */
const RENDERED_ENTRIES = 20

async function exists (path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}

/**
 * Whom to ask as: the tracker's admin identity when the home is a tracker's (`--home <tracker
 * home>`, or no --home on the tracker's machine), which sees the operator's view; else the
 * peer home. Returns the home to use and, for a tracker home, where that tracker listens.
 */
async function askerHome (ctx: CommandContext): Promise<{ home: string, tracker?: Multiaddr[] }> {
  const given = typeof ctx.options.home === 'string'
  const trackerHome = given ? homeOf(ctx, 'peer') : join(baseHome(ctx.env), 'tracker')
  const admin = join(trackerHome, ADMIN_HOME)
  if (!await exists(join(admin, IDENTITY_FILE))) return { home: homeOf(ctx, 'peer') }
  const flagged = typeof ctx.options.tracker === 'string' || (ctx.env.MEDIASWARM_TRACKER ?? '') !== ''
  if (flagged || !given) return { home: admin }
  const text = await readFile(join(trackerHome, TRACKER_ADDR_FILE), 'utf8').catch(() => '')
  const addrs = text.split('\n').filter(l => l.trim() !== '').map(parseMultiaddr)
  return { home: admin, tracker: addrs.length > 0 ? addrs : undefined }
}

/** `mediaswarm status`: what the tracker is doing. */
export const statusCommand: Command<StatusResult> = {
  name: 'status',
  summary: summaryOf('status'),
  usage: 'status [--tracker MULTIADDR] [--home DIR] [--psk FILE] [--allow FILE] [--json]',
  options: {
    tracker: { type: 'string', value: 'MULTIADDR', description: 'the tracker (default $MEDIASWARM_TRACKER or a local tracker)' },
    home: { type: 'string', value: 'DIR', description: "peer identity (default ~/.mediaswarm/peer); a tracker's home shows the operator's view" },
    json: { type: 'boolean', description: 'print a JSON object' },
    ...networkOptions
  },
  async run (ctx) {
    if (typeof ctx.options.tracker === 'string') parseMultiaddr(ctx.options.tracker)
    const network = await readNetworkOptions(ctx)
    const asker = await askerHome(ctx)
    const { client, owner } = await openHome(ctx, asker.home, 'status', async () => ({ home: asker.home, tracker: asker.tracker ?? await trackerAddresses(ctx), psk: network.psk, allow: network.allow }))
      .catch((err: unknown) => { throw explainUnreachable(network, err) })
    try {
      const s = await client.status(ctx.signal)
      return {
        tracker: s.peerId,
        files: s.files,
        operator: s.operator,
        queue: {
          slots: s.slots,
          granted: s.granted,
          waiting: s.waiting,
          entries: s.queue.map(q => ({ peerId: q.peerId, cid: CID.decode(q.cid).toString(), granted: q.granted, since: q.since }))
        },
        connected: s.connected,
        connectedPeers: s.connectedPeers.filter(p => p !== client.hello.peerId),
        reachability: { public: 0, upnp: 0, holePunched: 0, relayOnly: 0, unknown: 0, ...s.reachability },
        peers: (s.peers ?? []).filter(p => p.peerId !== client.hello.peerId),
        relay: { reserved: s.relayReserved ?? 0, slots: s.relaySlots ?? 0 },
        transfers: s.transfers.map(t => {
          const total = t.servedByTracker + t.servedByPeers
          return {
            cid: CID.decode(t.cid).toString(),
            path: t.path,
            size: t.size,
            servedByTracker: t.servedByTracker,
            servedByPeers: t.servedByPeers,
            offload: total === 0 ? 0 : t.servedByPeers / total,
            completed: t.completed,
            providers: t.providers,
            holders: t.holders
          }
        })
      }
    } catch (err) {
      throw explainUnreachable(network, err)
    } finally {
      await owner?.close(ctx.signal.aborted)
    }
  },
  render (s) {
    const lines = [
      `tracker ${s.tracker}: ${s.files} files, ${Math.max(0, s.connected - 1)} other peers connected`,
      `queue: ${s.queue.granted}/${s.queue.slots} slots in use, ${s.queue.waiting} waiting`,
      `reachable: ${s.reachability.public} public, ${s.reachability.upnp} upnp, ${s.reachability.holePunched} hole-punched, ${s.reachability.relayOnly} relay-only, ${s.reachability.unknown} unknown` +
        (s.relay.slots > 0 ? `; relay ${s.relay.reserved}/${s.relay.slots} slots in use` : '; no relay')
    ]
    if (s.operator && s.queue.entries.length > 0) {
      lines.push('', table(['PEER', 'FILE', 'STATE', 'SINCE'], s.queue.entries.slice(0, RENDERED_ENTRIES).map(e =>
        [e.peerId, s.transfers.find(t => t.cid === e.cid)?.path ?? e.cid, e.granted ? 'granted' : 'waiting', new Date(e.since).toISOString()])))
      if (s.queue.entries.length > RENDERED_ENTRIES) lines.push(`(${s.queue.entries.length - RENDERED_ENTRIES} more entries: use --json)`)
    }
    if (s.operator && s.connectedPeers.length > 0) {
      const how = new Map(s.peers.map(p => [p.peerId, p.reachability]))
      lines.push('', table(['CONNECTED PEER', 'REACHABLE'], s.connectedPeers.slice(0, RENDERED_ENTRIES).map(p => [p, how.get(p) ?? 'unknown'])))
      if (s.connectedPeers.length > RENDERED_ENTRIES) lines.push(`(${s.connectedPeers.length - RENDERED_ENTRIES} more peers: use --json)`)
    }
    if (s.transfers.length > 0) {
      lines.push('', table(
        ['FILE', 'SIZE', 'FROM TRACKER', 'FROM PEERS', 'OFFLOAD', 'DONE', 'PROVIDERS'],
        s.transfers.map(t => [t.path, formatBytes(t.size), formatBytes(t.servedByTracker), formatBytes(t.servedByPeers), `${Math.round(t.offload * 100)}%`, String(t.completed), String(t.providers)])
      ))
    }
    return lines.join('\n')
  }
}

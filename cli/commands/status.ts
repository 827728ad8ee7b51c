import { CID } from 'multiformats/cid'
import { explainUnreachable, homeOf, networkOptions, parseMultiaddr, readNetworkOptions, trackerAddresses } from '../context.js'
import { openHome } from '../home.js'
import { formatBytes, table } from '../output/format.js'
import type { Command } from '../command.js'

/** `status --json` output. */
export interface StatusResult {
  tracker: string
  files: number
  queue: { slots: number, granted: number, waiting: number, entries: Array<{ peerId: string, cid: string, granted: boolean, since: number }> }
  connectedPeers: string[]
  transfers: Array<{ cid: string, path: string, size: number, servedByTracker: number, servedByPeers: number, offload: number, completed: number, providers: number }>
}

/** `mediaswarm status`: what the tracker is doing. */
export const statusCommand: Command<StatusResult> = {
  name: 'status',
  summary: "Show the tracker's queue, connected peers, and per-file offload",
  usage: 'status [--tracker MULTIADDR] [--home DIR] [--psk FILE] [--allow FILE] [--json]',
  options: {
    tracker: { type: 'string', value: 'MULTIADDR', description: 'the tracker (default $MEDIASWARM_TRACKER or a local tracker)' },
    home: { type: 'string', value: 'DIR', description: 'peer identity (default ~/.mediaswarm/peer)' },
    json: { type: 'boolean', description: 'print a JSON object' },
    ...networkOptions
  },
  async run (ctx) {
    if (typeof ctx.options.tracker === 'string') parseMultiaddr(ctx.options.tracker)
    const network = await readNetworkOptions(ctx)
    const home = homeOf(ctx, 'peer')
    const { client, owner } = await openHome(ctx, home, 'status', async () => ({ home, tracker: await trackerAddresses(ctx), psk: network.psk, allow: network.allow }))
      .catch((err: unknown) => { throw explainUnreachable(network, err) })
    try {
      const s = await client.status(ctx.signal)
      return {
        tracker: s.peerId,
        files: s.files,
        queue: {
          slots: s.slots,
          granted: s.granted,
          waiting: s.waiting,
          entries: s.queue.map(q => ({ peerId: q.peerId, cid: CID.decode(q.cid).toString(), granted: q.granted, since: q.since }))
        },
        connectedPeers: s.connectedPeers.filter(p => p !== client.hello.peerId),
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
            providers: t.providers
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
      `tracker ${s.tracker}: ${s.files} files, ${s.connectedPeers.length} other peers connected`,
      `queue: ${s.queue.granted}/${s.queue.slots} slots in use, ${s.queue.waiting} waiting`
    ]
    if (s.transfers.length > 0) {
      lines.push('', table(
        ['FILE', 'SIZE', 'FROM TRACKER', 'FROM PEERS', 'OFFLOAD', 'DONE', 'PROVIDERS'],
        s.transfers.map(t => [t.path, formatBytes(t.size), formatBytes(t.servedByTracker), formatBytes(t.servedByPeers), `${Math.round(t.offload * 100)}%`, String(t.completed), String(t.providers)])
      ))
    }
    return lines.join('\n')
  }
}

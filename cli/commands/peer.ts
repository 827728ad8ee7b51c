import { controlSocketOf, startMediaServer, webApp } from '../../node/index.js'
import { busyError } from '../home.js'
import { ownHome } from '../own-home.js'
import {
  DEFAULT_PEER_LISTEN, DEFAULT_PEER_LISTEN_V6, downloadOptions, explainUnreachable, homeOf, intOption, networkOptions, readNetworkOptions, sharingOptions, sharingPeerInit, trackerAddresses, untilStopped
} from '../context.js'
import { formatBytes } from '../output/format.js'
import { applyV8Flags } from '../v8-flags.js'
import { summaryOf } from './registry.js'
import type { Command } from '../command.js'
import type { HomeBusyError, MediaServer } from '../../node/index.js'

/** What `peer` reports when it stops. */
export interface PeerResult {
  peerId: string
  shared: Array<{ cid: string, bytes: number, complete: boolean }>
}

/** `mediaswarm peer`: join the network and reshare the cache until stopped. */
export const peerCommand: Command<PeerResult> = {
  name: 'peer',
  summary: summaryOf('peer'),
  usage: 'peer [--tracker MULTIADDR] [--home DIR] [--listen MULTIADDR...] [--http PORT] [--max-upload-rate RATE] [--upload-slots N] [--no-upnp] [--psk FILE] [--allow FILE]',
  options: {
    tracker: { type: 'string', value: 'MULTIADDR', description: 'the tracker (default $MEDIASWARM_TRACKER or a local tracker)' },
    home: { type: 'string', value: 'DIR', description: 'peer identity and piece cache (default ~/.mediaswarm/peer)' },
    listen: { type: 'string', multiple: true, value: 'MULTIADDR', description: `address to listen on, repeatable (default ${DEFAULT_PEER_LISTEN} and ${DEFAULT_PEER_LISTEN_V6})` },
    json: { type: 'boolean', description: 'print events and the result as JSON' },
    'no-upnp': { type: 'boolean', description: 'do not ask the home router (UPnP IGD or NAT-PMP) to forward a port to this peer' },
    http: { type: 'string', value: 'PORT', description: 'port of the web player on 127.0.0.1 (default: any free port)' },
    ...sharingOptions,
    ...downloadOptions,
    ...networkOptions
  },
  async run (ctx) {
    const network = await readNetworkOptions(ctx)
    const home = homeOf(ctx, 'peer')
    let web: MediaServer | undefined
    applyV8Flags('peer')
    const owned = await ownHome(home, 'peer', async () => ({
      home,
      tracker: await trackerAddresses(ctx),
      ...sharingPeerInit(ctx, network),
      onTrackerEvent: (e) => {
        if (ctx.json) ctx.stdout.write(JSON.stringify({ event: e.type, ...e }) + '\n')
        else ctx.stderr.write(e.type === 'tracker:lost' ? 'lost the tracker; reconnecting…\n' : `tracker is back; re-announced ${e.files} files\n`)
      }
    }), undefined, () => web?.url).catch((err: unknown) => {
      const e = err as HomeBusyError
      if (e.name !== 'HomeBusyError') throw err
      throw busyError(home, e.owner, e.owner.role === 'peer' ? 'it already shares this home' : 'start the daemon once it has finished, or give it another --home')
    })
    const peer = owned.peer
    try {
      await peer.connect(ctx.signal)
      const files = await peer.reshare(ctx.signal)
      const shared = files.map(f => ({ cid: f.cid, bytes: f.bytesHave, complete: f.complete }))
      const addrs = peer.host.getMultiaddrs().map(String)
      web = await startMediaServer({
        open: async (cid, signal) => peer.media(cid, signal),
        routes: webApp(peer),
        logger: peer.host.logger,
        port: intOption(ctx, 'http', 0, 0, 65535)
      })
      const server = web
      ctx.signal.addEventListener('abort', () => { void server.close() }, { once: true })
      if (ctx.json) {
        ctx.stdout.write(JSON.stringify({ event: 'sharing', peerId: peer.peerId.toString(), addresses: addrs, web: web.url, control: controlSocketOf(home), files: shared }) + '\n')
      } else {
        const total = shared.reduce((n, f) => n + f.bytes, 0)
        ctx.stdout.write([
          `mediaswarm peer ${peer.peerId.toString()}`,
          `sharing ${shared.length} file${shared.length === 1 ? '' : 's'} (${formatBytes(total)}) with the swarm of tracker ${peer.tracker?.toString() ?? ''}`,
          'listening on:',
          ...addrs.map(a => `  ${a}`),
          `web player: ${web.url}/`,
          `control channel: ${controlSocketOf(home)} ("mediaswarm get", "ls", "status" and "play" on this home run here)`,
          'press Ctrl-C to stop',
          ''
        ].join('\n'))
      }
      await untilStopped(ctx)
      return { peerId: peer.peerId.toString(), shared }
    } catch (err) {
      throw explainUnreachable(network, err)
    } finally {
      await owned.close(true)
    }
  },
  render: () => 'peer stopped; the tracker was told'
}

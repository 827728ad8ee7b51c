import { CID } from 'multiformats/cid'
import { Peer } from '../../node/index.js'
import { explainUnreachable, homeOf, networkOptions, readNetworkOptions, trackerAddresses } from '../context.js'
import { formatBytes, formatDuration, table } from '../output/format.js'
import type { CatalogueItem } from '../../node/index.js'
import type { Command } from '../command.js'

/** One catalogue item as `ls --json` prints it. */
export interface ListedItem {
  name: string
  path: string
  cid: string
  size: number
  mime: string
  title?: string
  artist?: string
  album?: string
  duration?: number
  bitrate?: number
  codecs?: string[]
  width?: number
  height?: number
}

/** Converts a wire item to the CLI's JSON shape. */
export function toListedItem (item: CatalogueItem): ListedItem {
  return {
    name: item.path.split('/').pop() ?? item.path,
    path: item.path,
    cid: CID.decode(item.cid).toString(),
    size: item.size,
    mime: item.mime,
    title: item.title,
    artist: item.artist,
    album: item.album,
    duration: item.duration,
    bitrate: item.bitrate,
    codecs: item.codecs.length > 0 ? item.codecs : undefined,
    width: item.width,
    height: item.height
  }
}

/** `mediaswarm ls`: the tracker's catalogue. */
export const lsCommand: Command<ListedItem[]> = {
  name: 'ls',
  summary: "List the tracker's catalogue (optionally matching QUERY)",
  usage: 'ls [QUERY] [--tracker MULTIADDR] [--home DIR] [--psk FILE] [--allow FILE] [--json]',
  options: {
    tracker: { type: 'string', value: 'MULTIADDR', description: 'the tracker (default $MEDIASWARM_TRACKER or a local tracker)' },
    home: { type: 'string', value: 'DIR', description: 'peer identity and cache (default ~/.mediaswarm/peer)' },
    json: { type: 'boolean', description: 'print a JSON array' },
    ...networkOptions
  },
  async run (ctx) {
    const tracker = await trackerAddresses(ctx)
    const network = await readNetworkOptions(ctx)
    const peer = await Peer.create({ home: homeOf(ctx, 'peer'), tracker, psk: network.psk, allow: network.allow })
    try {
      const items = await peer.list(ctx.args.join(' '), ctx.signal)
      return items.map(toListedItem)
    } catch (err) {
      throw explainUnreachable(network, err)
    } finally {
      await peer.stop()
    }
  },
  render (items) {
    if (items.length === 0) return 'no files match'
    return table(
      ['NAME', 'TYPE', 'SIZE', 'LENGTH', 'TITLE', 'ARTIST'],
      items.map(i => [i.path, i.mime, formatBytes(i.size), formatDuration(i.duration), i.title ?? '', i.artist ?? ''])
    ) + `\n${items.length} file${items.length === 1 ? '' : 's'}`
  }
}

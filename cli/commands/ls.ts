import { CID } from 'multiformats/cid'
import { explainUnreachable, homeOf, networkOptions, parseMultiaddr, readNetworkOptions, trackerAddresses } from '../context.js'
import { openHome } from '../home.js'
import { formatBytes, formatDuration, table } from '../output/format.js'
import { summaryOf } from './registry.js'
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
  summary: summaryOf('ls'),
  usage: 'ls [QUERY] [--tracker MULTIADDR] [--home DIR] [--psk FILE] [--allow FILE] [--json]',
  options: {
    tracker: { type: 'string', value: 'MULTIADDR', description: 'the tracker (default $MEDIASWARM_TRACKER or a local tracker)' },
    home: { type: 'string', value: 'DIR', description: 'peer identity and cache (default ~/.mediaswarm/peer)' },
    json: { type: 'boolean', description: 'print a JSON array' },
    ...networkOptions
  },
  async run (ctx) {
    if (typeof ctx.options.tracker === 'string') parseMultiaddr(ctx.options.tracker)
    const network = await readNetworkOptions(ctx)
    const home = homeOf(ctx, 'peer')
    const { client, owner } = await openHome(ctx, home, 'ls', async () => ({ home, tracker: await trackerAddresses(ctx), psk: network.psk, allow: network.allow }))
      .catch((err: unknown) => { throw explainUnreachable(network, err) })
    try {
      const items = await client.list(ctx.args.join(' '), ctx.signal)
      return items.map(toListedItem)
    } catch (err) {
      throw explainUnreachable(network, err)
    } finally {
      await owner?.close(ctx.signal.aborted)
    }
  },
  render (items) {
    if (items.length === 0) return 'no files match'
    return table(
      ['NAME', 'CID', 'TYPE', 'SIZE', 'LENGTH', 'PICTURE', 'TITLE', 'ARTIST'],
      items.map(i => [i.path, shortCid(i.cid), i.mime, formatBytes(i.size), formatDuration(i.duration), i.width != null && i.height != null ? `${i.width}x${i.height}` : '', i.title ?? '', i.artist ?? ''].map(printable))
    ) + `\n${items.length} file${items.length === 1 ? '' : 's'}`
  }
}

/** The first and last characters of a cid: enough to tell items apart and to search for. */
export function shortCid (cid: string): string {
  return cid.length <= 16 ? cid : `${cid.slice(0, 8)}…${cid.slice(-6)}`
}

/**
 * Text from the catalogue as a terminal may show it: control characters (escape sequences,
 * carriage returns, bidirectional overrides) become visible \xNN or \u{NNNN} escapes.
 */
export function printable (text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, c => {
    const code = c.codePointAt(0) ?? 0
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
}

import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { NotFoundError } from '../../node/errors.js'
import { RequestIds } from '../../node/peer/request-ids.js'
import { UsageError } from '../command.js'
import {
  DEFAULT_PEER_LISTEN, DEFAULT_PEER_LISTEN_V6, downloadOptions, explainUnreachable, homeOf, networkOptions, readNetworkOptions, sharingOptions, sharingPeerInit, trackerAddresses
} from '../context.js'
import { asHomeError } from '../errors.js'
import { fetchItem, seedUntil, seedLimits } from '../get/fetch-item.js'
import { outputTarget, checkOutputTarget } from '../get/output-target.js'
import { openHome } from '../home.js'
import { formatBytes } from '../output/format.js'
import { selectItems } from '../select.js'
import { summaryOf } from './registry.js'
import type { Command } from '../command.js'
import type { GotFile } from '../get/fetch-item.js'
import type { CatalogueItem } from '../../node/index.js'

export type { GotFile } from '../get/fetch-item.js'

/** Where `get` keeps the queue request id of each file it is fetching. */
export const REQUESTS_FILE = 'requests.json'

/** `mediaswarm get`: fetch files through the queue, verified, written atomically. */
export const getCommand: Command<GotFile[]> = {
  name: 'get',
  summary: summaryOf('get'),
  usage: 'get NAME|CID... [--select PATTERN] [-o FILE|DIR|-] [--force] [--seed] [--tracker MULTIADDR] [--home DIR] [--json]',
  options: {
    output: { type: 'string', short: 'o', value: 'PATH', description: 'output: a file name (one file, with an extension), a folder, or - for stdout (default: current folder)' },
    dir: { type: 'string', short: 'd', value: 'DIR', description: 'folder to write into (default: current folder)' },
    select: { type: 'string', multiple: true, value: 'PATTERN', description: 'also fetch every catalogue item whose path matches this glob (*.mp4, clips/**) or contains these words' },
    force: { type: 'boolean', description: 'replace an existing file with other content' },
    tracker: { type: 'string', value: 'MULTIADDR', description: 'the tracker (default $MEDIASWARM_TRACKER or a local tracker)' },
    home: { type: 'string', value: 'DIR', description: 'peer identity and piece cache (default ~/.mediaswarm/peer)' },
    json: { type: 'boolean', description: 'print a JSON array of the files fetched' },
    quiet: { type: 'boolean', short: 'q', description: 'print nothing but errors' },
    verbose: { type: 'boolean', description: 'also print providers joining, leaving and refusing' },
    seed: { type: 'boolean', description: 'keep sharing the files after the download, until Ctrl-C (or --seed-time / --seed-ratio)' },
    'seed-time': { type: 'string', value: 'MINUTES', description: 'seed for this many minutes after the download, then exit (implies --seed)' },
    'seed-ratio': { type: 'string', value: 'RATIO', description: 'seed until this many times the files\' size was uploaded, then exit (implies --seed)' },
    listen: { type: 'string', multiple: true, value: 'MULTIADDR', description: `where other peers reach us while we share (default ${DEFAULT_PEER_LISTEN} and ${DEFAULT_PEER_LISTEN_V6})` },
    'no-share': { type: 'boolean', description: 'do not serve pieces to other peers while downloading' },
    'no-upnp': { type: 'boolean', description: 'do not ask the home router (UPnP IGD or NAT-PMP) to forward a port to this peer' },
    ...sharingOptions,
    ...downloadOptions,
    ...networkOptions
  },
  async run (ctx) {
    const selects = (ctx.options.select as string[] | undefined) ?? []
    if (ctx.args.length === 0 && selects.length === 0) throw new UsageError('Name at least one file to get, or --select PATTERN (see "mediaswarm ls").')
    const share = ctx.options['no-share'] !== true
    const limits = seedLimits(ctx)
    if (!share && limits.seed) throw new UsageError('--seed and --no-share cannot be used together.')
    if (ctx.options.output != null && ctx.options.dir != null) throw new UsageError('Give either -o or -d, not both.')
    const network = await readNetworkOptions(ctx)
    const home = homeOf(ctx, 'peer')
    // before the home is touched: an unwritable output fails at once
    const early = await outputTarget(ctx, undefined)
    await checkOutputTarget(early)
    const session = await openHome(ctx, home, 'get', async () => ({
      home,
      tracker: await trackerAddresses(ctx),
      ...sharingPeerInit(ctx, network, share, limits.seed),
      // a relay slot and a mapped port matter once there are pieces to share: the ticket first
      deferReachability: true
    })).catch((err: unknown) => { throw explainUnreachable(network, err) })
    const { client, owner } = session
    const ignored = ['listen', 'no-share', 'max-download-rate', 'max-upload-rate', 'upload-slots'].filter(o => ctx.options[o] != null)
    if (owner == null && ignored.length > 0 && ctx.options.quiet !== true) {
      ctx.stderr.write(`note: the download runs in the mediaswarm ${client.hello.role === 'peer' ? 'peer daemon' : client.hello.role} (pid ${client.hello.pid}) that owns this home; its own settings apply, not ${ignored.map(o => `--${o}`).join(', ')}\n`)
    }
    try {
      const items: CatalogueItem[] = []
      const seen = new Set<string>()
      const add = (item: CatalogueItem): void => {
        const key = item.path
        if (!seen.has(key)) { seen.add(key); items.push(item) }
      }
      for (const name of ctx.args) add(await client.resolve(name, ctx.signal))
      if (selects.length > 0) {
        const all = await client.list(undefined, ctx.signal)
        for (const pattern of selects) {
          const matched = selectItems(all, pattern)
          if (matched.length === 0) throw new NotFoundError(`No catalogue item matches "${pattern}"`)
          matched.forEach(add)
        }
      }
      const target = await outputTarget(ctx, items.length)
      // a rerun after a crash asks with the same ids, and so keeps its places in the queue (only the home's owner keeps them)
      const requests = owner != null ? new RequestIds(join(home, REQUESTS_FILE)) : undefined
      const out: GotFile[] = []
      for (const item of items) {
        out.push(await fetchItem(ctx, client, item, target, requests).catch((err: unknown) => {
          throw (err as Error).name === 'OutputError' ? err : asHomeError(err, home)
        }))
      }
      if (limits.seed) await seedUntil(ctx, getCommand, out, limits, session)
      return out
    } catch (err) {
      throw explainUnreachable(network, err)
    } finally {
      if (owner != null) {
        // our own connections close asynchronously: only a wait beyond that is worth a word
        const idle = await Promise.race([owner.server.idle().then(() => true), sleep(500).then(() => false)])
        if (!idle && !ctx.signal.aborted && ctx.options.quiet !== true && !ctx.json) {
          const others = owner.server.clients
          ctx.stderr.write(`${others} other mediaswarm command${others === 1 ? ' is' : 's are'} using this node; waiting for ${others === 1 ? 'it' : 'them'} to finish\n`)
        }
        await owner.close(ctx.signal.aborted)
      }
    }
  },
  render (files, ctx) {
    if (ctx.options.quiet === true) return ''
    return files.filter(f => f.path !== '-').map(f => {
      if (f.already === true) return `${f.path} is already there (identical)`
      const rate = f.transferMs > 0 ? `, ${formatBytes(f.size / (f.transferMs / 1000))}/s` : ' (already cached)'
      return `saved ${f.path} (${formatBytes(f.size)}${rate})`
    }).join('\n')
  }
}


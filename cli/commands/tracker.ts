import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { HomeLock, readAllowList } from '../../node/index.js'
import { isMediaPath } from '../../tracker/catalogue/mime.js'
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_RELAY, DEFAULT_TRACKER_LISTEN, DEFAULT_TRACKER_LISTEN_V6 } from '../../tracker/constants.js'
import { DEFAULT_HEAP_GROWTH_PERCENT, setHeapGrowth } from '../../tracker/heap-growth.js'
import { UsageError } from '../command.js'
import { asHomeError, causeCode } from '../errors.js'
import { busyError } from '../home.js'
import { checkHttpFree, httpInUse, parseHttpAddress } from '../http-address.js'
import { checkPortsFree, portInUse } from '../port-check.js'
import { parseBytes } from '../output/format.js'
import { applyV8Flags } from '../v8-flags.js'
import { baseHome, homeOf, intOption, networkOptions, parseMultiaddr, readNetworkOptions, sharingOptions, untilStopped, uploadLimiter } from '../context.js'
import { summaryOf } from './registry.js'
import type { Command, CommandContext } from '../command.js'
import type { HomeBusyError, RelayServerInit } from '../../node/index.js'
import type { Tracker, TrackerEncryption } from '../../tracker/index.js'
import type { NetworkSettings } from '../context.js'

/** What `tracker` reports when it stops. */
export interface TrackerResult {
  peerId: string
  addresses: string[]
  files: number
  /** The web app's URL, with `--http`. */
  web?: string
}

/** `--admin FILE`: PeerIds, one a line (# comments), in the allow-list's format. */
async function adminList (ctx: CommandContext): Promise<string[] | undefined> {
  const file = ctx.options.admin
  if (typeof file !== 'string' || file === '') return undefined
  try {
    return await readAllowList(resolve(ctx.cwd, file))
  } catch (err) {
    if ((err as Error).name === 'AllowListError') throw new UsageError((err as Error).message.replace('allow-list', 'admin list'))
    throw err
  }
}

/** `--relay-slots`, `--relay-max-bytes`, `--relay-max-duration`: the relay's limits, or false for none. */
function relayLimits (ctx: CommandContext): RelayServerInit | false {
  const slots = intOption(ctx, 'relay-slots', DEFAULT_RELAY.slots, 0, 100_000)
  const raw = ctx.options['relay-max-bytes']
  const maxBytes = raw == null ? DEFAULT_RELAY.maxBytes : typeof raw === 'string' ? parseBytes(raw) : undefined
  if (maxBytes == null || maxBytes < 1024 || maxBytes > 2 ** 40) throw new UsageError(`--relay-max-bytes takes a size from 1KiB, such as 128KiB or 1MiB, not "${String(raw)}".`)
  const seconds = intOption(ctx, 'relay-max-duration', DEFAULT_RELAY.maxDurationMs / 1000, 1, 86_400)
  return slots === 0 ? false : { slots, maxBytes: Math.floor(maxBytes), maxDurationMs: seconds * 1000 }
}

function listenAddresses (ctx: CommandContext): string[] {
  const raw = ctx.options.listen
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [DEFAULT_TRACKER_LISTEN, DEFAULT_TRACKER_LISTEN_V6]
  return list.map(a => parseMultiaddr(a).toString())
}

function printBanner (ctx: CommandContext, tracker: Tracker, media: string, network: NetworkSettings): void {
  const addrs = tracker.addresses
  const local = addrs.find(a => a.startsWith('/ip4/127.')) ?? addrs[0]
  const items = tracker.catalogue.list().items
  const playable = items.find(i => i.mime.startsWith('audio/') || i.mime.startsWith('video/')) ?? items[0]
  const example = playable?.path.split('/').pop() ?? 'NAME'
  // peers of a closed network need the same key
  const psk = network.pskFile != null ? ` --psk ${network.pskFile}` : ''
  const web = tracker.web?.url
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify({ event: 'listening', peerId: tracker.host.peerId.toString(), addresses: addrs, files: tracker.catalogue.size, web }) + '\n')
    return
  }
  ctx.stdout.write([
    `mediaswarm tracker ${tracker.host.peerId.toString()}`,
    `serving ${tracker.catalogue.size} files from ${media}`,
    'listening on:',
    ...addrs.map(a => `  ${a}`),
    // the operator's token stays in its file: stdout often ends up in logs
    ...(web != null ? [`web: ${web}`, `  (operator view: add ?token=<contents of ${join(homeOf(ctx, 'tracker'), 'http-token')}>)`] : []),
    '',
    'from another terminal, in the mediaswarm folder (or anywhere after "npm install -g ."), list and fetch with:',
    `  npx mediaswarm ls --tracker ${local}${psk}`,
    `  npx mediaswarm get ${example} --tracker ${local}${psk}`,
    // true only where other commands look for tracker.addr: the default tracker home
    homeOf(ctx, 'tracker') === join(baseHome(ctx.env), 'tracker')
      ? '(on this machine --tracker can be left out)'
      : `(on this machine, export MEDIASWARM_TRACKER=${local} to leave --tracker out)`,
    'press Ctrl-C to stop',
    ''
  ].join('\n'))
}

/** `--encryption tls|noise` (see TrackerInit.encryption). */
function encryptionOption (raw: unknown): TrackerEncryption {
  if (raw == null) return 'tls'
  if (raw === 'tls' || raw === 'noise') return raw
  throw new UsageError(`The encryption (--encryption) is tls or noise, not ${String(raw)}.`)
}

/** `--heap-growth PERCENT`: a whole number from 0 to 1000. */
function heapGrowthOption (raw: unknown): number {
  if (raw == null) return DEFAULT_HEAP_GROWTH_PERCENT
  const n = Number(raw)
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > 1000) throw new UsageError(`The heap growth (--heap-growth) is a whole percentage from 0 to 1000, not ${String(raw)}.`)
  return n
}

/** `mediaswarm tracker`: serves a media folder until stopped. */
export const trackerCommand: Command<TrackerResult> = {
  name: 'tracker',
  summary: summaryOf('tracker'),
  usage: 'tracker [--media DIR] [--home DIR] [--listen MULTIADDR...] [--slots N] [--per-peer-active N] [--heap-growth PERCENT] [--encryption tls|noise] [--http ADDR:PORT] [--admin FILE] [--relay-slots N] [--relay-max-bytes SIZE] [--relay-max-duration SECONDS] [--max-upload-rate RATE] [--psk FILE] [--allow FILE]',
  options: {
    media: { type: 'string', value: 'DIR', description: 'library folder to serve (default ./media)' },
    home: { type: 'string', value: 'DIR', description: 'identity, hash cache and tracker.addr (default ~/.mediaswarm/tracker)' },
    listen: { type: 'string', multiple: true, value: 'MULTIADDR', description: `address to listen on, repeatable (default ${DEFAULT_TRACKER_LISTEN} and ${DEFAULT_TRACKER_LISTEN_V6})` },
    http: { type: 'string', value: 'ADDR:PORT', description: 'serve the web app, its API and /metrics there, e.g. 127.0.0.1:8080 (default: off)' },
    slots: { type: 'string', value: 'N', description: 'concurrent transfers granted from the queue (default 4)' },
    'max-queue': { type: 'string', value: 'N', description: 'longest queue before requests are refused (default 10000)' },
    'per-peer': { type: 'string', value: 'N', description: 'requests one peer may hold at once, waiting or granted (default 8)' },
    'per-peer-active': { type: 'string', value: 'N', description: 'granted slots one peer may hold at once (default 1)' },
    'per-address': { type: 'string', value: 'N', description: 'requests one IPv4 address or IPv6 /64 may hold (default 64)' },
    'max-connections': { type: 'string', value: 'N', description: `open connections in all (default ${DEFAULT_MAX_CONNECTIONS}, sized for 2,000 peers)` },
    'heap-growth': { type: 'string', value: 'PERCENT', description: `how far the heap may grow past the live data before a full garbage collection; 0: V8's default (default ${DEFAULT_HEAP_GROWTH_PERCENT})` },
    encryption: { type: 'string', value: 'tls|noise', description: 'how peers\' connections are encrypted: tls (TLS 1.3 first, Noise for peers without it) or noise (Noise only: ~50 KB less memory per connected peer, about twice the CPU per byte served) (default tls)' },
    'connections-per-address': { type: 'string', value: 'N', description: `open connections from one IPv4 address or IPv6 /64 (default ${DEFAULT_MAX_CONNECTIONS_PER_ADDRESS})` },
    admin: { type: 'string', value: 'FILE', description: "PeerIds (one a line) that see who queued and holds what in 'status'" },
    'relay-slots': { type: 'string', value: 'N', description: `peers reachable through this tracker's circuit relay at once, for coordination only; 0: no relay (default ${DEFAULT_RELAY.slots})` },
    'relay-max-bytes': { type: 'string', value: 'SIZE', description: `bytes one relayed connection may carry before it is cut (default ${DEFAULT_RELAY.maxBytes / 1024}KiB)` },
    'relay-max-duration': { type: 'string', value: 'SECONDS', description: `how long one relayed connection may last (default ${DEFAULT_RELAY.maxDurationMs / 1000})` },
    'all-files': { type: 'boolean', description: 'serve every file in the media folder, not only audio, video, images, subtitles and playlists' },
    json: { type: 'boolean', description: 'print the listening event and the result as JSON' },
    ...sharingOptions,
    ...networkOptions
  },
  async run (ctx) {
    // a smaller peak RSS under load, at the cost of a few more full collections
    setHeapGrowth(heapGrowthOption(ctx.options['heap-growth']))
    const encryption = encryptionOption(ctx.options.encryption)
    const media = resolve(ctx.cwd, typeof ctx.options.media === 'string' ? ctx.options.media : 'media')
    const info = await stat(media).catch(() => undefined)
    if (info?.isDirectory() !== true) throw new UsageError(`The media folder ${media} does not exist.`)
    const network = await readNetworkOptions(ctx)
    const home = homeOf(ctx, 'tracker')
    const listen = listenAddresses(ctx)
    const http = typeof ctx.options.http === 'string' ? parseHttpAddress(ctx.options.http) : undefined
    // one owner per home, and a free port, checked before the library is hashed
    const lock = await HomeLock.acquire(home, 'tracker').catch((err: unknown) => {
      const e = err as HomeBusyError
      if (e.name === 'HomeBusyError') throw busyError(home, e.owner, 'stop it first, or give this tracker another --home')
      throw asHomeError(err, home)
    })
    // an early failure exits the process: the exit handler gives the home up then
    process.once('exit', () => { lock.releaseSync() })
    await checkPortsFree(listen)
    if (http != null && http.port !== 0) await checkHttpFree(http)
    const { Tracker } = await import('../../tracker/index.js')
    // V8's defaults unless MEDIASWARM_V8_FLAGS names flags (cli/v8-flags.ts)
    applyV8Flags('tracker')
    const tracker = await Tracker.create({
      home,
      mediaDir: media,
      // media only unless told otherwise: a library folder often holds other things
      include: ctx.options['all-files'] === true ? undefined : isMediaPath,
      listen,
      slots: intOption(ctx, 'slots', 4, 1, 1024),
      maxWaiting: intOption(ctx, 'max-queue', 10_000, 1, 10_000_000),
      maxPerPeer: intOption(ctx, 'per-peer', 8, 1, 10_000),
      maxActivePerPeer: intOption(ctx, 'per-peer-active', 1, 1, 1024),
      maxRequestsPerAddress: intOption(ctx, 'per-address', 64, 1, 10_000_000),
      maxConnections: intOption(ctx, 'max-connections', DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
      maxConnectionsPerAddress: intOption(ctx, 'connections-per-address', DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 1, 1_000_000),
      admins: await adminList(ctx),
      limiter: uploadLimiter(ctx),
      uploadSlots: ctx.options['upload-slots'] == null ? undefined : intOption(ctx, 'upload-slots', 64, 1, 10_000),
      psk: network.psk,
      allow: network.allow,
      relay: relayLimits(ctx),
      encryption,
      http
    }).catch((err: unknown) => {
      if (causeCode(err) === 'EADDRINUSE') throw http != null && (err as Error).message.includes(`:${http.port}`) ? httpInUse(http) : portInUse(listen.join(', '))
      throw err
    })
    printBanner(ctx, tracker, media, network)
    await untilStopped(ctx)
    const result = { peerId: tracker.host.peerId.toString(), addresses: tracker.addresses, files: tracker.catalogue.size, web: tracker.web?.url }
    await tracker.stop()
    await lock.release()
    return result
  },
  render: () => 'tracker stopped'
}

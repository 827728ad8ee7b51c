import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
// module by module, not the node/ barrel: these are all a command needs before it knows
// whether it talks to a daemon (which needs no libp2p in this process)
import { TrackerUnreachableError } from '../node/errors.js'
import { readAllowList, readNetworkKey } from '../node/host/network-key.js'
import { TokenBucket } from '../node/limits/token-bucket.js'
import { PIECE_TIMEOUT_MS } from '../node/protocols/constants.js'
import { SESSION_STALL_MS } from '../node/session/session-types.js'
// the constant only: loading the tracker (catalogue, metadata parsers) is for `tracker`
import { TRACKER_ADDR_FILE } from '../tracker/constants.js'
import { baseHome } from './base-home.js'
import { UsageError } from './command.js'
import { parseBytes } from './output/format.js'
import type { CommandContext } from './command.js'
import type { PeerInit, SessionTuning } from '../node/index.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export { baseHome }

/** The home of this command: `--home`, else `<base>/<role>`. */
export function homeOf (ctx: CommandContext, role: 'tracker' | 'peer'): string {
  const home = ctx.options.home
  return typeof home === 'string' ? resolve(ctx.cwd, home) : join(baseHome(ctx.env), role)
}

/** Parses a multiaddr typed by the user. */
export function parseMultiaddr (text: string): Multiaddr {
  try {
    return multiaddr(text.trim())
  } catch {
    throw new UsageError(`"${text}" is not a valid multiaddr (expected something like /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...).`)
  }
}

/**
 * The tracker to talk to: `--tracker`, else `$MEDIASWARM_TRACKER`, else the addresses a
 * tracker on this machine wrote into its home.
 */
export async function trackerAddresses (ctx: CommandContext): Promise<Multiaddr[]> {
  const flag = ctx.options.tracker
  if (typeof flag === 'string' && flag !== '') return [parseMultiaddr(flag)]
  const env = ctx.env.MEDIASWARM_TRACKER
  if (env != null && env !== '') return env.split(/[\s,]+/).filter(Boolean).map(parseMultiaddr)
  const file = join(baseHome(ctx.env), 'tracker', TRACKER_ADDR_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new UsageError('No tracker given: pass --tracker MULTIADDR, set MEDIASWARM_TRACKER, or start a tracker on this machine with "npm start".')
  }
  const addrs = text.split('\n').filter(l => l.trim() !== '').map(parseMultiaddr)
  // loopback first: a tracker on this machine is reached fastest there
  return addrs.sort((a, b) => Number(b.toString().startsWith('/ip4/127.')) - Number(a.toString().startsWith('/ip4/127.')))
}

/** Reads an integer option, refusing anything else with a plain sentence. */
export function intOption (ctx: CommandContext, name: string, fallback: number, min = 1, max = 1_000_000): number {
  const raw = ctx.options[name]
  if (raw == null) return fallback
  const n = Number(raw)
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}.`)
  }
  return n
}

/** Parses `--max-upload-rate` (e.g. 4MiB, 500KB, per second) into a shared limiter, or undefined. */
export function uploadLimiter (ctx: CommandContext): TokenBucket | undefined {
  const raw = ctx.options['max-upload-rate']
  if (raw == null) return undefined
  const rate = typeof raw === 'string' ? parseBytes(raw) : undefined
  if (rate == null || rate <= 0) throw new UsageError(`--max-upload-rate takes a rate such as 4MiB or 500KB (per second), not "${String(raw)}".`)
  return new TokenBucket({ rate })
}

/** Pieces may be this big (a huge file's); a capped download's watchdog allows for one at the cap. */
const LARGEST_PIECE_BYTES = 4 * 1024 * 1024

/**
 * Parses `--max-download-rate` (aria2's name: bytes per second, all downloads together) into
 * session tuning: a shared limiter, a pipeline of about two seconds at the cap (so no piece
 * waits long behind the limiter), and stall timeouts long enough for one big piece at the cap.
 */
export function downloadTuning (ctx: CommandContext): SessionTuning | undefined {
  const raw = ctx.options['max-download-rate']
  if (raw == null) return undefined
  const rate = typeof raw === 'string' ? parseBytes(raw) : undefined
  if (rate == null || rate <= 0) throw new UsageError(`--max-download-rate takes a rate such as 4MiB or 500KB (per second), not "${String(raw)}".`)
  const stallMs = Math.max(SESSION_STALL_MS, Math.ceil(2 * LARGEST_PIECE_BYTES / rate * 1000))
  return {
    downloadLimiter: new TokenBucket({ rate }),
    pipelineBytes: Math.max(256 * 1024, 2 * rate),
    stallMs,
    pieceTimeoutMs: Math.max(PIECE_TIMEOUT_MS, 2 * stallMs)
  }
}

/** Options of every command that downloads. */
export const downloadOptions = {
  'max-download-rate': { type: 'string', value: 'RATE', description: 'cap on download, per second, for all downloads together (e.g. 2MiB); with a daemon running, the daemon\'s own cap applies' }
} as const

/** Options every sharing command takes. */
export const sharingOptions = {
  'max-upload-rate': { type: 'string', value: 'RATE', description: 'cap on upload, per second, shared by all transfers (e.g. 4MiB)' },
  'upload-slots': { type: 'string', value: 'N', description: 'downloaders served at once' }
} as const

/** Options of every command that starts a node: the key and allow-list of a closed network. */
export const networkOptions = {
  psk: { type: 'string', value: 'FILE', description: 'network key (swarm.key, see "mediaswarm keygen"): only nodes with the same key connect (default $MEDIASWARM_PSK)' },
  allow: { type: 'string', value: 'FILE', description: 'PeerIds allowed to connect, one per line, # comments (default $MEDIASWARM_ALLOW)' }
} as const

/** A closed network's settings as read by {@link readNetworkOptions}. */
export interface NetworkSettings {
  /** The network key, for Peer.create / Tracker.create. */
  psk?: Uint8Array
  /** PeerIds allowed to connect, for Peer.create / Tracker.create. */
  allow?: string[]
  /** Where the key came from, to name it in messages. */
  pskFile?: string
  /** Where the allow-list came from. */
  allowFile?: string
}

function fileOption (ctx: CommandContext, name: string, envName: string): string | undefined {
  const flag = ctx.options[name]
  if (typeof flag === 'string' && flag !== '') return resolve(ctx.cwd, flag)
  const env = ctx.env[envName]
  return env != null && env !== '' ? resolve(ctx.cwd, env) : undefined
}

/**
 * Reads `--psk` and `--allow` (else `$MEDIASWARM_PSK` and `$MEDIASWARM_ALLOW`); a missing or
 * malformed file is the user's mistake, reported as one sentence.
 */
export async function readNetworkOptions (ctx: CommandContext): Promise<NetworkSettings> {
  const pskFile = fileOption(ctx, 'psk', 'MEDIASWARM_PSK')
  const allowFile = fileOption(ctx, 'allow', 'MEDIASWARM_ALLOW')
  try {
    return {
      psk: pskFile != null ? await readNetworkKey(pskFile) : undefined,
      allow: allowFile != null ? await readAllowList(allowFile) : undefined,
      pskFile,
      allowFile
    }
  } catch (err) {
    const name = (err as Error).name
    if (name === 'NetworkKeyError' || name === 'AllowListError') throw new UsageError((err as Error).message)
    throw err
  }
}

/** The first error along a cause chain whose name is `name`. */
function causeNamed (err: unknown, name: string): (Error & { cause?: unknown }) | undefined {
  let e = err as (Error & { cause?: unknown }) | undefined
  for (let i = 0; i < 6 && e != null; i++) {
    if (e.name === name) return e
    e = e.cause as typeof e
  }
  return undefined
}

/**
 * `err`, or a tracker failure with its likely reason in words: the right address answering
 * with another PeerId, a node that is not a tracker, a closed network's key that differs
 * (or was not given), a tracker missing from the allow-list.
 */
export function explainUnreachable (network: NetworkSettings, err: unknown): unknown {
  const e = err as Error
  if (e?.name === 'UnsupportedProtocolError' && /catalogue|queue|announce/.test(e.message)) {
    return new TrackerUnreachableError('That node is not a tracker (it answered, but does not serve a catalogue); pass the tracker\'s address, as the tracker prints it or writes it to tracker.addr.', { cause: err })
  }
  if (e?.name !== 'TrackerUnreachableError') return err
  const where = /^The tracker at (.*) could not be reached/.exec(e.message)?.[1] ?? 'that address'
  const handshake = causeNamed(err, 'EncryptionFailedError')
  if (handshake != null && /unexpected peer/i.test(handshake.message)) {
    return new TrackerUnreachableError(`The tracker at ${where} answered with another identity: the /p2p/ part names a PeerId it does not have (a tracker started with a new --home gets a new one); copy its address again.`, { cause: err })
  }
  const reasons = [
    ...(network.pskFile != null ? [`its network key may differ from ${network.pskFile}`] : []),
    ...(network.allowFile != null ? [`it may be missing from ${network.allowFile}`] : []),
    // a tracker of a closed network lets the handshake time out without its key
    ...(network.pskFile == null && handshake != null ? ['it may run a closed network: pass its key with --psk FILE'] : [])
  ]
  if (reasons.length === 0) return err
  const message = e.message.replace(/\.$/, '')
  return new TrackerUnreachableError(`${message}; it may be down, or ${reasons.join(', or ')}.`, { cause: err })
}

/** Resolves when the command's signal fires (Ctrl-C, SIGTERM). */
export async function untilStopped (ctx: CommandContext): Promise<void> {
  if (ctx.signal.aborted) return
  await new Promise<void>(resolve => { ctx.signal.addEventListener('abort', () => { resolve() }, { once: true }) })
}

/** Where a sharing peer listens unless told otherwise: every interface, a free port. */
export const DEFAULT_PEER_LISTEN = '/ip4/0.0.0.0/tcp/0'
/** ... and every IPv6 interface (skipped on a machine without IPv6). */
export const DEFAULT_PEER_LISTEN_V6 = '/ip6/::/tcp/0'

/** The `--listen` addresses given, checked, or `fallback`. */
export function listenOption (ctx: CommandContext, fallback: string | string[]): string[] {
  const raw = ctx.options.listen
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [fallback].flat()
  return list.map(a => parseMultiaddr(a).toString())
}

/**
 * The Peer options of every command that serves pieces (get, peer, play): where it listens,
 * its upload limits, and the network key and allow-list. `share: false` listens nowhere.
 * A peer that keeps sharing (`peer`, `play`, `get --seed`: `lasting`) maps its port on a
 * UPnP router unless `--no-upnp`, runs AutoNAT and holds a slot on the tracker's relay; a
 * one-shot `get` shares while it downloads but skips those (a port mapping, a relay slot
 * and reachability checks are worth little for a minute, and cost a third of its CPU).
 * A peer listening on loopback addresses only never searches for a router: no router can
 * forward a port to them (the search loads the UPnP client and its XML parsers and sends
 * SSDP from every interface, about 60 ms of CPU).
 */
export function sharingPeerInit (ctx: CommandContext, network: NetworkSettings, share = true, lasting = true): Pick<PeerInit, 'listen' | 'limiter' | 'uploadSlots' | 'psk' | 'allow' | 'session' | 'host'> {
  const listen = share ? listenOption(ctx, [DEFAULT_PEER_LISTEN, DEFAULT_PEER_LISTEN_V6]) : []
  return {
    session: downloadTuning(ctx),
    listen,
    host: lasting
      ? { upnp: share && ctx.options['no-upnp'] !== true && !loopbackOnly(listen) }
      : { upnp: false, autonat: false, reserveOn: [] },
    limiter: uploadLimiter(ctx),
    uploadSlots: intOption(ctx, 'upload-slots', 8, 1, 10_000),
    psk: network.psk,
    allow: network.allow
  }
}

/** True when every address is a loopback one (127.0.0.0/8, ::1): reachable from this machine only. */
export function loopbackOnly (listen: string[]): boolean {
  return listen.length > 0 && listen.every(a => /^\/ip4\/127\.|^\/ip6\/::1\//.test(a))
}

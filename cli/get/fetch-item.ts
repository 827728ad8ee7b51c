import { stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CID } from 'multiformats/cid'
import { FileExistsError } from '../../node/errors.js'
import { hashFile } from '../../node/manifest/manifest.js'
import { PIECE_INTERVAL_RANGE_MS } from '../../node/daemon/protocol.js'
import { OutputError, UsageError } from '../command.js'
import { untilStopped } from '../context.js'
import { asOutputError } from '../errors.js'
import { ProgressDisplay } from '../output/progress.js'
import type { OutputTarget } from './output-target.js'
import type { Command, CommandContext } from '../command.js'
import type { HomeSession } from '../home.js'
import type { CatalogueItem, ControlClient, ControlEvent, RequestIds } from '../../node/index.js'

/** One fetched file as `get --json` prints it. */
export interface GotFile {
  name: string
  cid: string
  size: number
  /** Where it was written; `-` for standard output. */
  path: string
  /** From the ticket to the last verified piece; 0 when the file was already in the cache. */
  transferMs: number
  bytesFromTracker: number
  bytesFromPeers: number
  /** Bytes received twice (endgame duplicates), beside the file's size. */
  bytesDuplicate: number
  /** All piece bytes received in this run, duplicates included (0 when the file was cached). */
  bytesReceived: number
  /** Peak resident memory of this process so far. */
  maxRssBytes: number
  /** An identical file was already at `path`: nothing was written. */
  already?: boolean
}

/** When a seeding `get` stops by itself. */
export interface SeedLimits {
  seed: boolean
  timeMs?: number
  ratio?: number
}

/** Reads --seed, --seed-time (minutes) and --seed-ratio (aria2's meanings). */
export function seedLimits (ctx: CommandContext): SeedLimits {
  const number = (name: string): number | undefined => {
    const raw = ctx.options[name]
    if (raw == null) return undefined
    const n = Number(raw)
    if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`The option --${name} takes a number of ${name === 'seed-time' ? 'minutes' : 'times the size uploaded'} (e.g. 30 or 1.5), not "${String(raw)}".`)
    return n
  }
  const minutes = number('seed-time')
  const ratio = number('seed-ratio')
  return { seed: ctx.options.seed === true || minutes != null || ratio != null, timeMs: minutes == null ? undefined : minutes * 60_000, ratio }
}

/** A file already at `path` holding exactly the item's content. */
async function identical (path: string, item: CatalogueItem): Promise<boolean> {
  const info = await stat(path).catch(() => undefined)
  if (info == null || info.isDirectory() || info.size !== item.size) return false
  const { cid } = await hashFile(path)
  return cid.toString() === CID.decode(item.cid).toString()
}

/** Shows a download's events: the live line on a terminal, notes above it. */
function eventHandler (ctx: CommandContext, name: string, timing: { grantedAt: number, finishedAt: number }): { onEvent: (e: ControlEvent) => void, display?: ProgressDisplay } {
  const quiet = ctx.options.quiet === true
  const verbose = ctx.options.verbose === true
  // --json keeps stdout for the result; notes still go to stderr unless --quiet
  const display = quiet || ctx.json ? undefined : new ProgressDisplay(ctx.stderr, name)
  const note = (text: string): void => {
    if (quiet) return
    if (display != null) display.note(text)
    else ctx.stderr.write(text + '\n')
  }
  const onEvent = (e: ControlEvent): void => {
    if (e.type === 'queue:granted') timing.grantedAt = Date.now()
    if (e.type === 'piece') timing.finishedAt = Date.now()
    switch (e.type) {
      case 'queue:position': display?.queued(e.position, e.waiting, e.etaMs); break
      case 'download:start': display?.start(e.total, e.have); break
      case 'piece': display?.advance(e.bytes, e); break
      // a provider leaving is normal in a swarm: only --verbose tells
      case 'provider-dropped': if (verbose) note(`${name}: provider ${e.provider} left (${e.reason})`); break
      case 'provider-banned': note(`${name}: stopped using provider ${e.provider} (${e.reason}) and reported it to the tracker`); break
      case 'refetched': note(`${name}: the stored copy was damaged: re-fetched ${e.pieces} pieces`); break
    }
  }
  return { onEvent, display }
}

/**
 * How often the owner should sum verified pieces into an event: often for a progress bar,
 * rarely when nothing is drawn (--json, --quiet), where only the last one (sent right before
 * the result, whatever the interval) dates the end of the transfer.
 */
function pieceInterval (display: ProgressDisplay | undefined): number {
  return display != null ? PIECE_INTERVAL_RANGE_MS.default : PIECE_INTERVAL_RANGE_MS.max
}

/** Copies the owner's in-order byte stream to standard output, with backpressure. */
async function toStdout (ctx: CommandContext, client: ControlClient, cid: string): Promise<void> {
  const out = ctx.stdout
  let broken: Error | undefined
  const onError = (err: Error): void => { broken = err }
  out.on('error', onError)
  try {
    for await (const chunk of client.read(cid, ctx.signal)) {
      if (broken != null) break
      if (!out.write(chunk)) await new Promise<void>(resolve => { out.once('drain', resolve); out.once('error', () => { resolve() }) })
    }
    if (broken != null) throw new OutputError('The program reading standard output stopped reading.', { cause: broken })
  } finally {
    out.off('error', onError)
  }
}

/**
 * Fetches one catalogue item through the home's owner and writes it to the target: a file
 * (never over a different existing file unless --force), or standard output in order while
 * it downloads.
 */
export async function fetchItem (ctx: CommandContext, client: ControlClient, item: CatalogueItem, target: OutputTarget, requests?: RequestIds): Promise<GotFile> {
  const cid = CID.decode(item.cid).toString()
  const name = item.path.split('/').pop() ?? item.path
  const timing = { grantedAt: 0, finishedAt: 0 }
  const { onEvent, display } = eventHandler(ctx, name, timing)
  const got = (path: string, r: { bytesFromTracker: number, bytesFromPeers: number, bytesDuplicate: number, bytesReceived: number }, already = false): GotFile => ({
    name,
    cid,
    size: item.size,
    path,
    transferMs: timing.grantedAt > 0 ? Math.max(timing.finishedAt - timing.grantedAt, 0) : 0,
    bytesFromTracker: r.bytesFromTracker,
    bytesFromPeers: r.bytesFromPeers,
    bytesDuplicate: r.bytesDuplicate,
    bytesReceived: r.bytesReceived,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(already ? { already } : {})
  })
  try {
    if (target.kind === 'stdout') {
      // the download (for progress and the result) and the in-order stream run side by side
      const [result] = await Promise.all([client.get({ cid, pieceIntervalMs: pieceInterval(display) }, onEvent, ctx.signal), toStdout(ctx, client, cid)])
      display?.finish()
      return got('-', result)
    }
    const path = target.kind === 'file' ? target.path : join(target.dir, name)
    const force = ctx.options.force === true
    if (await identical(path, item)) return got(path, { bytesFromTracker: 0, bytesFromPeers: 0, bytesDuplicate: 0, bytesReceived: 0 }, true)
    if (!force && (await stat(path).catch(() => undefined)) != null) {
      throw new FileExistsError(`The file ${path} already exists with other content; pass --force to replace it`)
    }
    const requestId = await requests?.idOf(cid)
    const result = await client.get({ cid, path, force, requestId, pieceIntervalMs: pieceInterval(display) }, onEvent, ctx.signal).catch((err: unknown) => {
      // the download is written in place beside the destination: a failing disk there is the output's
      throw asOutputError(err, dirname(path), path) ?? err
    })
    await requests?.forget(cid).catch(() => {})
    display?.finish()
    return got(path, result)
  } catch (err) {
    // the bar's line ends before the error (or "Interrupted.") is printed
    display?.end()
    throw err
  }
}

/**
 * `--seed`: a `get` that owns its home keeps serving until Ctrl-C, --seed-time or
 * --seed-ratio; with a peer daemon on the home, the daemon already shares the files.
 */
export async function seedUntil (ctx: CommandContext, command: Command<GotFile[]>, out: GotFile[], limits: SeedLimits, session: HomeSession): Promise<void> {
  const text = ctx.json ? JSON.stringify(out) + '\n' : `${command.render?.(out, ctx) ?? ''}\n`
  const owner = session.owner
  if (owner == null) {
    if (ctx.json) ctx.stdout.write(text)
    else if (ctx.options.quiet !== true) ctx.stderr.write(`${text}the peer daemon (pid ${session.client.hello.pid}) keeps sharing ${out.length === 1 ? 'it' : 'them'}\n`)
    return
  }
  if (ctx.json) ctx.stdout.write(text)
  else if (ctx.options.quiet !== true) ctx.stderr.write(`${text}seeding as ${owner.peer.peerId.toString()}; press Ctrl-C to stop\n`)
  const size = out.reduce((n, f) => n + f.size, 0)
  const started = Date.now()
  const startUpload = owner.peer.uploadedBytes
  const stop = new AbortController()
  const done = (): boolean => (limits.timeMs != null && Date.now() - started >= limits.timeMs) ||
    (limits.ratio != null && owner.peer.uploadedBytes - startUpload >= limits.ratio * size)
  const watch = (async () => {
    while (!stop.signal.aborted && !done()) await sleep(500, undefined, { signal: stop.signal }).catch(() => {})
  })()
  await Promise.race([untilStopped(ctx), watch])
  stop.abort()
  await watch
}

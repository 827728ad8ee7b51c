import { rm, stat, writeFile } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { CID } from 'multiformats/cid'
import { Peer, RequestIds, ensureDir, exportFile } from '../../node/index.js'
import { OutputError, UsageError } from '../command.js'
import {
  DEFAULT_PEER_LISTEN, explainUnreachable, homeOf, networkOptions, readNetworkOptions, sharingOptions, sharingPeerInit, trackerAddresses, untilStopped
} from '../context.js'
import { HomeError, asHomeError } from '../errors.js'
import { formatBytes } from '../output/format.js'
import { ProgressDisplay } from '../output/progress.js'
import type { Command, CommandContext } from '../command.js'

/** One fetched file as `get --json` prints it. */
export interface GotFile {
  name: string
  cid: string
  size: number
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
}

/**
 * Makes `dir` (with `mode` for new levels) and writes a file in it: a real write, since
 * access() says yes to root even on read-only mounts.
 */
async function probeFolder (dir: string, mode?: number): Promise<void> {
  await ensureDir(dir, mode)
  if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' })
  const probe = join(dir, `.mediaswarm-write-test-${process.pid}`)
  await writeFile(probe, '')
  await rm(probe, { force: true })
}

/** Fails early, before queueing, when the output folder cannot be written. */
async function checkOutputDir (dir: string): Promise<void> {
  try {
    await probeFolder(dir)
  } catch (err) {
    throw new OutputError(`Cannot write to the output folder ${dir}.`, { cause: err })
  }
}

/** Fails early, before queueing, when the home folder cannot be written (0700, as the identity wants it). */
async function checkHomeDir (home: string): Promise<void> {
  try {
    await probeFolder(home, 0o700)
  } catch (err) {
    throw new HomeError(`Cannot write to the home folder ${home}.`, { cause: err })
  }
}

/** Where `get` keeps the queue request id of each file it is fetching. */
export const REQUESTS_FILE = 'requests.json'

/** A file-system failure in the output folder (the download is written in place there) as an OutputError. */
function asOutputError (err: unknown, outDir: string, path: string): OutputError | undefined {
  let e = err as (NodeJS.ErrnoException & { cause?: unknown }) | undefined
  for (let i = 0; i < 5 && e != null && typeof e.code !== 'string'; i++) e = e.cause as typeof e
  if (typeof e?.path !== 'string' || !e.path.startsWith(outDir + sep)) return undefined
  return new OutputError(`Cannot write ${path}.`, { cause: err })
}

async function fetchOne (ctx: CommandContext, peer: Peer, name: string, outDir: string, home: string, requests: RequestIds): Promise<GotFile> {
  const item = await peer.resolve(name, ctx.signal)
  const cid = CID.decode(item.cid)
  // a rerun after a crash asks with the same id, and so keeps its place in the queue
  const requestId = await requests.idOf(cid.toString()).catch((err: unknown) => { throw asHomeError(err, home) })
  const fileName = item.path.split('/').pop() ?? item.path
  const display = new ProgressDisplay(ctx.stderr, fileName)
  let grantedAt = 0
  let finishedAt = 0
  const path = join(outDir, fileName)
  const result = await peer.download(cid, {
    signal: ctx.signal,
    requestId,
    saveAs: path,
    onProgress: (e) => {
      if (ctx.json) {
        if (e.type === 'queue:granted') grantedAt = Date.now()
        if (e.type === 'transfer:piece-verified') finishedAt = Date.now()
        return
      }
      if (e.type === 'queue:position') display.queued(e.position.position, e.position.waiting, e.position.etaMs)
      else if (e.type === 'queue:granted') grantedAt = Date.now()
      else if (e.type === 'download:start') display.start(e.total, e.have)
      else if (e.type === 'transfer:piece-verified') { finishedAt = Date.now(); display.advance(e.bytes) }
      else if (e.type === 'transfer:provider-dropped') ctx.stderr.write(`\n${fileName}: dropped provider ${e.provider}: ${e.reason}\n`)
      else if (e.type === 'transfer:provider-banned') ctx.stderr.write(`${fileName}: banned provider ${e.provider} (${e.reason}) and reported it to the tracker\n`)
    }
  }).catch((err: unknown) => { throw asOutputError(err, outDir, path) ?? asHomeError(err, home) })
  await requests.forget(cid.toString()).catch(() => {})
  display.finish()
  // pieces found damaged in the store are fetched again by a new download of the cid
  const refetch = async (): Promise<void> => { await peer.download(cid, { signal: ctx.signal }) }
  try {
    const { refetched } = await exportFile(result.file, path, { refetch })
    if (refetched > 0) ctx.stderr.write(`${fileName}: the stored copy was damaged: re-fetched ${refetched} pieces\n`)
  } catch (err) {
    const cause = (err as Error).cause ?? err
    if ((err as Error).name === 'StoreRepairError') throw asOutputError(cause, outDir, path) ?? asHomeError(cause, home)
    throw new OutputError(`Cannot write ${path}.`, { cause: err })
  }
  return {
    name: fileName,
    cid: result.file.cid,
    size: result.file.info.manifest.size,
    path,
    transferMs: grantedAt > 0 ? Math.max(finishedAt - grantedAt, 0) : 0,
    bytesFromTracker: result.bytesFromTracker,
    bytesFromPeers: result.bytesFromPeers,
    bytesDuplicate: result.bytesDuplicate,
    bytesReceived: result.bytesFromTracker + result.bytesFromPeers + result.bytesDuplicate,
    maxRssBytes: process.resourceUsage().maxRSS * 1024
  }
}

/** `mediaswarm get`: fetch files through the queue, verified, written atomically. */
export const getCommand: Command<GotFile[]> = {
  name: 'get',
  summary: 'Fetch files by name or cid: queue position, then a verified download',
  usage: 'get NAME|CID... [-o DIR] [--tracker MULTIADDR] [--home DIR] [--psk FILE] [--allow FILE] [--seed] [--json]',
  options: {
    output: { type: 'string', short: 'o', value: 'DIR', description: 'folder to write into (default: current folder)' },
    tracker: { type: 'string', value: 'MULTIADDR', description: 'the tracker (default $MEDIASWARM_TRACKER or a local tracker)' },
    home: { type: 'string', value: 'DIR', description: 'peer identity and piece cache (default ~/.mediaswarm/peer)' },
    json: { type: 'boolean', description: 'print a JSON array of the files fetched' },
    seed: { type: 'boolean', description: 'keep sharing the files after the download, until Ctrl-C' },
    listen: { type: 'string', multiple: true, value: 'MULTIADDR', description: `where other peers reach us while we share (default ${DEFAULT_PEER_LISTEN})` },
    'no-share': { type: 'boolean', description: 'do not serve pieces to other peers while downloading' },
    ...sharingOptions,
    ...networkOptions
  },
  async run (ctx) {
    if (ctx.args.length === 0) throw new UsageError('Name at least one file to get (see "mediaswarm ls").')
    const outDir = resolve(ctx.cwd, typeof ctx.options.output === 'string' ? ctx.options.output : '.')
    await checkOutputDir(outDir)
    const tracker = await trackerAddresses(ctx)
    const share = ctx.options['no-share'] !== true
    if (!share && ctx.options.seed === true) throw new UsageError('--seed and --no-share cannot be used together.')
    const network = await readNetworkOptions(ctx)
    const home = homeOf(ctx, 'peer')
    await checkHomeDir(home)
    const peer = await Peer.create({
      home,
      tracker,
      ...sharingPeerInit(ctx, network, share)
    }).catch((err: unknown) => { throw asHomeError(err, home) })
    try {
      const out: GotFile[] = []
      const requests = new RequestIds(join(home, REQUESTS_FILE))
      for (const name of ctx.args) out.push(await fetchOne(ctx, peer, name, outDir, home, requests))
      if (ctx.options.seed === true) {
        if (ctx.json) ctx.stdout.write(JSON.stringify(out) + '\n')
        else ctx.stderr.write(`${getCommand.render?.(out, ctx) ?? ''}\nseeding as ${peer.peerId.toString()}; press Ctrl-C to stop\n`)
        await untilStopped(ctx)
      }
      return out
    } catch (err) {
      throw explainUnreachable(network, err)
    } finally {
      await peer.stop()
    }
  },
  render (files) {
    return files.map(f => {
      const rate = f.transferMs > 0 ? `, ${formatBytes(f.size / (f.transferMs / 1000))}/s` : ' (already cached)'
      return `saved ${f.path} (${formatBytes(f.size)}${rate})`
    }).join('\n')
  }
}

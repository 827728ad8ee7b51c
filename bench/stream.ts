/**
 * Bare libp2p stream bench: one stream between two processes with mediaswarm's host
 * configuration (TLS first, or `--noise` for the fallback path; yamux), no mediaswarm
 * protocol on top. Isolates the transport's cost per byte: MB/s and CPU seconds per GiB of
 * each side, peak RSS. Prints one JSON object to stdout.
 *
 *   npm run bench:stream -- [--size 1GiB] [--chunk 256KiB] [--noise] [--runs 1] [--profile DIR]
 */
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, MB, parseSize, round1, round3 } from './lib/args.js'
import { ChildError, expectCleanExit, killAll, startNode, stop, waitForJsonLine } from './lib/procs.js'
import { runBench } from './lib/run.js'
import type { ProcessUsage } from './lib/usage.js'

const PEER = fileURLToPath(new URL('./stream-peer.js', import.meta.url))
const GiB = 1024 ** 3
const USAGE = 'usage: node dist/bench/stream.js [--size 1GiB] [--chunk 256KiB] [--noise] [--runs 1] [--profile DIR]'

interface Options { sizeBytes: number, chunkBytes: number, noise: boolean, runs: number, profileDir?: string }

function parse (argv: string[]): Options {
  const o: Options = { sizeBytes: GiB, chunkBytes: 256 * 1024, noise: false, runs: 1 }
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined]
    const take = (): string => value ?? argv[++i] ?? (() => { throw new Error(`Option ${flag} needs a value.`) })()
    switch (flag) {
      case '--size': o.sizeBytes = parseSize(take()); break
      case '--chunk': o.chunkBytes = parseSize(take()); break
      case '--runs': o.runs = Math.max(1, Math.round(Number(take()))); break
      case '--noise': o.noise = true; break
      case '--profile': o.profileDir = resolve(take()); break
      default: throw new Error(`Unknown option "${argv[i]}" (${USAGE}).`)
    }
  }
  return o
}

const isUsage = (v: any): v is ProcessUsage => typeof v?.cpuSec === 'number' && typeof v?.maxRssBytes === 'number'

async function once (o: Options): Promise<{ mbps: number, sender: ProcessUsage, receiver: ProcessUsage, encryption: string, multiplexer: string }> {
  const prof = o.profileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : []
  const receiver = startNode('stream receiver', [...prof, PEER, 'recv'])
  let sender: ReturnType<typeof startNode> | undefined
  const timeoutMs = 60_000 + o.sizeBytes / (20 * MB) * 1000
  try {
    const { addr } = await waitForJsonLine(receiver, (v): v is { addr: string } => typeof v?.addr === 'string', 20_000)
    const result = waitForJsonLine(receiver, (v): v is { bytes: number, ms: number, encryption: string, multiplexer: string } & ProcessUsage =>
      typeof v?.bytes === 'number' && isUsage(v), timeoutMs)
    result.catch(() => {})
    sender = startNode('stream sender', [...prof, PEER, 'send', addr, String(o.sizeBytes), String(o.chunkBytes), ...(o.noise ? ['noise'] : [])])
    const sent = waitForJsonLine(sender, (v): v is ProcessUsage => typeof v?.sent === 'number' && isUsage(v), timeoutMs)
    sent.catch(() => {})
    const [r, s] = await Promise.all([result, sent])
    await Promise.all([expectCleanExit(sender, 10_000), expectCleanExit(receiver, 10_000)])
    if (r.bytes !== o.sizeBytes) throw new ChildError(`The receiver got ${r.bytes} bytes instead of ${o.sizeBytes}.`, receiver)
    return { mbps: r.bytes / MB / (r.ms / 1000), sender: s, receiver: r, encryption: r.encryption, multiplexer: r.multiplexer }
  } finally {
    await stop(receiver, 1000)
    if (sender !== undefined) await stop(sender, 1000)
  }
}

async function main (o: Options): Promise<void> {
  if (o.profileDir !== undefined) await mkdir(o.profileDir, { recursive: true })
  const runs: Array<Awaited<ReturnType<typeof once>>> = []
  for (let i = 0; i < o.runs; i++) {
    const r = await once(o)
    runs.push(r)
    console.error(`[bench] ${r.encryption} + ${r.multiplexer}: ${r.mbps.toFixed(0)} MB/s; sender ${(r.sender.cpuSec / (o.sizeBytes / GiB)).toFixed(2)} CPU-s/GiB, ` +
      `receiver ${(r.receiver.cpuSec / (o.sizeBytes / GiB)).toFixed(2)} CPU-s/GiB`)
  }
  const perGiB = (pick: (r: typeof runs[number]) => ProcessUsage): { cpuSecPerGiB: number, peakRssMB: number } => ({
    cpuSecPerGiB: round3(median(runs.map((r) => pick(r).cpuSec / (o.sizeBytes / GiB)))),
    peakRssMB: round1(Math.max(...runs.map((r) => pick(r).maxRssBytes)) / MB)
  })
  console.log(JSON.stringify({
    sizeBytes: o.sizeBytes,
    chunkBytes: o.chunkBytes,
    encryption: runs[0].encryption,
    multiplexer: runs[0].multiplexer,
    MBps: round1(median(runs.map((r) => r.mbps))),
    sender: perGiB((r) => r.sender),
    receiver: perGiB((r) => r.receiver),
    ...(o.runs > 1 ? { runs: o.runs } : {}),
    node: process.version
  }))
}

await runBench(async () => { await main(parse(process.argv.slice(2))) }, killAll)

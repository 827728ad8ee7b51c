/**
 * Throughput bench: one file sent between two processes on loopback, four ways, in one run:
 * node:net, node:tls, node:tls whose receiver hashes every 256 KiB piece (SHA-256), checks it
 * and writes it to disk ("verifiedTls": the real limit of a verified, stored transfer), and
 * mediaswarm (a tracker process serving a real `get` process). For each: MB/s, CPU seconds
 * per GiB and peak RSS of the sender and of the receiver. mediaswarm is compared with
 * verifiedTls. Prints one JSON object to stdout; progress to stderr.
 *
 *   npm run bench:throughput -- [--size 1GiB] [--runs 1] [--chunk 1MiB]
 *     [--only net,tls,verifiedTls,mediaswarm] [--profile DIR] [--keep]
 *
 * mediaswarm runs two gets of the file, one after the other, from one tracker. CPU: the
 * baselines' whole processes; the sender's is the tracker's CPU during the second get (a
 * running server's cost per byte, its serving path by then mostly compiled by V8), and its CPU
 * during the first get (start-up and catalogue hashing excluded) is reported as
 * `senderColdCpuSecPerGiB`; the receiver's is the first get's whole process (start-up
 * included: that is what a `get` costs). MB/s: bytes over the transfer time (mediaswarm:
 * the first get's reported transferMs).
 */
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { median, MB, parseArgs, round1, round3, type BenchOptions, type Setup } from './lib/args.js'
import { makeSelfSignedCert, runBaseline } from './lib/baseline.js'
import { hashPieces, writeRandomFile } from './lib/files.js'
import { CLI, runMediaswarm } from './lib/mediaswarm.js'
import { DROPS_EXTRA_CA_CERTS } from './lib/procs.js'
import { BenchDir, runBench } from './lib/run.js'
import type { ProcessUsage } from './lib/usage.js'

const TARGETS = { ratioToVerifiedTls: 0.6, peakRssMB: 200 }
const GiB = 1024 ** 3
const PIECE_SIZE = 256 * 1024

const log = (msg: string): void => { console.error(`[bench] ${msg}`) }

const work = new BenchDir(log)

/** One measured transfer of one setup. */
interface Sample { bytes: number, ms: number, sender: ProcessUsage, receiver: ProcessUsage, extra?: Record<string, number> }

interface SideSummary { cpuSecPerGiB: number, peakRssMB: number }
interface SetupSummary { MBps: number, sender: SideSummary, receiver: SideSummary, [k: string]: unknown }

function summarise (samples: Sample[]): SetupSummary {
  const side = (pick: (s: Sample) => ProcessUsage): SideSummary => ({
    cpuSecPerGiB: round3(median(samples.map((s) => pick(s).cpuSec / (s.bytes / GiB)))),
    peakRssMB: round1(Math.max(...samples.map((s) => pick(s).maxRssBytes)) / MB)
  })
  const extra: Record<string, number> = {}
  for (const key of Object.keys(samples[0].extra ?? {})) extra[key] = round3(median(samples.map((s) => s.extra![key])))
  return {
    MBps: round1(median(samples.map((s) => s.bytes / MB / (s.ms / 1000)))),
    sender: side((s) => s.sender),
    receiver: side((s) => s.receiver),
    ...extra
  }
}

const describe = (name: string, s: Sample): string =>
  `${name}: ${(s.bytes / MB / (s.ms / 1000)).toFixed(0)} MB/s (${s.ms.toFixed(0)} ms); ` +
  `sender ${(s.sender.cpuSec / (s.bytes / GiB)).toFixed(2)} CPU-s/GiB, ${(s.sender.maxRssBytes / MB).toFixed(0)} MB peak RSS; ` +
  `receiver ${(s.receiver.cpuSec / (s.bytes / GiB)).toFixed(2)} CPU-s/GiB, ${(s.receiver.maxRssBytes / MB).toFixed(0)} MB peak RSS`

async function main (opts: BenchOptions): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`The mediaswarm CLI ${CLI} does not exist; run npm run build first.`)
  const loadAtStart = loadavg()[0]
  const tmp = await work.create('mediaswarm-bench-', opts.keep)
  const profileDir = opts.profileDir !== undefined ? resolve(opts.profileDir) : undefined
  if (profileDir !== undefined) await mkdir(profileDir, { recursive: true })
  const mediaDir = join(tmp, 'media')
  await mkdir(mediaDir)
  const fileName = `random-${opts.sizeBytes}.bin`
  const file = join(mediaDir, fileName)
  // generous: nothing here should run below ~20 MB/s
  const timeoutMs = 60_000 + opts.sizeBytes / (20 * MB) * 1000

  const t = Date.now()
  log(`writing ${opts.sizeBytes} pseudo-random bytes to ${file}`)
  await writeRandomFile(file, opts.sizeBytes)
  const { sha256: inputSha256, pieces } = await hashPieces(file, PIECE_SIZE)
  const pieceHashesPath = join(tmp, 'pieces.sha256')
  await writeFile(pieceHashesPath, pieces)
  log(`written and hashed in ${((Date.now() - t) / 1000).toFixed(1)} s (sha256 ${inputSha256.slice(0, 16)}…)`)
  const tlsFiles = await makeSelfSignedCert(tmp)
  const verified = { outPath: join(tmp, 'verified-out.bin'), pieceHashesPath, pieceSize: PIECE_SIZE }

  const samples = new Map<Setup, Sample[]>(opts.only.map((s) => [s, []]))
  for (let run = 1; run <= opts.runs; run++) {
    const tag = opts.runs > 1 ? ` (run ${run}/${opts.runs})` : ''
    for (const [kind, name] of [['net', 'net'], ['tls', 'tls'], ['vtls', 'verifiedTls']] as const) {
      if (!opts.only.includes(name)) continue
      const r = await runBaseline(kind, file, opts.sizeBytes, opts.chunkBytes, tlsFiles, verified, timeoutMs)
      samples.get(name)!.push(r)
      log(describe(`${name}${tag}`, r))
    }
    if (opts.only.includes('mediaswarm')) {
      const m = await runMediaswarm({ tmp, mediaDir, fileName, sizeBytes: opts.sizeBytes, inputSha256, run, timeoutMs, profileDir }, log)
      const perGiB = (sec: number): number => sec / (opts.sizeBytes / GiB)
      const s: Sample = {
        bytes: opts.sizeBytes,
        ms: m.cold.transferMs,
        // the tracker is a long-running server: its cost per byte is what it spends once its
        // serving path is compiled, during the second get (the first is reported beside it)
        sender: { cpuSec: m.warm.trackerCpuSeconds, maxRssBytes: m.trackerPeakRssBytes },
        receiver: { cpuSec: m.cold.getCpuSeconds, maxRssBytes: m.cold.peerPeakRssBytes },
        extra: {
          senderColdCpuSecPerGiB: perGiB(m.cold.trackerCpuSeconds),
          warmGetMBps: m.warm.mbps,
          warmGetCpuSecPerGiB: perGiB(m.warm.getCpuSeconds),
          getWallSec: m.cold.getWallMs / 1000,
          getCpuSec: m.cold.getCpuSeconds,
          trackerReadySec: m.trackerReadyMs / 1000
        }
      }
      samples.get('mediaswarm')!.push(s)
      log(`${describe(`mediaswarm${tag}`, s)}; the tracker's first get ${perGiB(m.cold.trackerCpuSeconds).toFixed(2)} CPU-s/GiB; ` +
        `get ${(m.cold.getWallMs / 1000).toFixed(1)} s wall, ${m.cold.getCpuSeconds.toFixed(2)} CPU-s in all; second get ${m.warm.mbps.toFixed(0)} MB/s; outputs verified`)
    }
  }

  const results: Partial<Record<Setup, SetupSummary>> = {}
  for (const [name, list] of samples) results[name] = summarise(list)
  const ms = results.mediaswarm
  const base = results.verifiedTls
  // every ratio reads "mediaswarm as a fraction of verifiedTls": higher is better, target >= 0.6
  const ratios = ms !== undefined && base !== undefined
    ? {
        throughput: round3(ms.MBps / base.MBps),
        senderCpu: round3(base.sender.cpuSecPerGiB / ms.sender.cpuSecPerGiB),
        receiverCpu: round3(base.receiver.cpuSecPerGiB / ms.receiver.cpuSecPerGiB)
      }
    : null
  const meetsTargets = ms !== undefined && ratios !== null
    ? Object.values(ratios).every((r) => r >= TARGETS.ratioToVerifiedTls) &&
      ms.sender.peakRssMB < TARGETS.peakRssMB && ms.receiver.peakRssMB < TARGETS.peakRssMB
    : null
  // not a target: a freshly started tracker's first get, V8's compiles of the serving path included
  const senderCpuCold = ms !== undefined && base !== undefined
    ? round3(base.sender.cpuSecPerGiB / (ms.senderColdCpuSecPerGiB as number))
    : null
  const result = {
    sizeBytes: opts.sizeBytes,
    ...results,
    mediaswarmToVerifiedTls: ratios === null ? null : { ...ratios, senderCpuCold },
    meetsTargets,
    targets: TARGETS,
    ...(opts.runs > 1 ? { runs: opts.runs } : {}),
    // context: on a busy machine every figure above gets worse, mediaswarm's the most
    machine: { cpus: cpus().length, loadAvg1AtStart: round1(loadAtStart), loadAvg1AtEnd: round1(loadavg()[0]), childrenWithoutNodeExtraCaCerts: DROPS_EXTRA_CA_CERTS },
    node: process.version
  }
  console.log(JSON.stringify(result))
}

await runBench(async () => { await main(parseArgs(process.argv.slice(2))) }, work.cleanup)

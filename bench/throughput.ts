/**
 * Throughput bench: one file, tracker → peer on loopback, against node:net and node:tls
 * baselines measured in the same run. Prints one JSON object to stdout; progress to stderr.
 *
 *   npm run bench:throughput -- [--size 1GiB] [--runs 1] [--chunk 1MiB] [--keep]
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, MB, parseArgs, round1, round3, type BenchOptions } from './lib/args.js'
import { makeSelfSignedCert, runBaseline } from './lib/baseline.js'
import { sha256File, writeRandomFile } from './lib/files.js'
import { CLI, runMediaswarm, type MediaswarmRun } from './lib/mediaswarm.js'
import { runBench } from './lib/run.js'
import { killAll } from './lib/procs.js'

const TARGETS = { ratioToTls: 0.6, peakRssMB: 200 }

const log = (msg: string): void => { console.error(`[bench] ${msg}`) }

let tmp: string | undefined
let keep = false

async function cleanup (): Promise<void> {
  await killAll()
  if (tmp !== undefined && !keep) {
    await rm(tmp, { recursive: true, force: true })
    tmp = undefined
  } else if (tmp !== undefined) {
    log(`kept ${tmp}`)
  }
}

async function main (opts: BenchOptions): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`The mediaswarm CLI ${CLI} does not exist; run npm run build first.`)
  tmp = await mkdtemp(join(tmpdir(), 'mediaswarm-bench-'))
  keep = opts.keep
  const mediaDir = join(tmp, 'media')
  await mkdir(mediaDir)
  const fileName = `random-${opts.sizeBytes}.bin`
  const file = join(mediaDir, fileName)
  // generous: nothing here should run below ~20 MB/s
  const timeoutMs = 60_000 + opts.sizeBytes / (20 * MB) * 1000

  let t = Date.now()
  log(`writing ${opts.sizeBytes} pseudo-random bytes to ${file}`)
  await writeRandomFile(file, opts.sizeBytes)
  const inputSha256 = await sha256File(file)
  log(`written and hashed in ${((Date.now() - t) / 1000).toFixed(1)} s (sha256 ${inputSha256.slice(0, 16)}…)`)
  const tlsFiles = await makeSelfSignedCert(tmp)

  const net: number[] = []
  const tls: number[] = []
  const ms: MediaswarmRun[] = []
  for (let run = 1; run <= opts.runs; run++) {
    const tag = opts.runs > 1 ? ` (run ${run}/${opts.runs})` : ''
    const n = await runBaseline('net', file, opts.sizeBytes, opts.chunkBytes, undefined, timeoutMs)
    net.push(n.mbps)
    log(`node:net${tag}: ${n.mbps.toFixed(0)} MB/s (${n.ms.toFixed(0)} ms)`)
    const s = await runBaseline('tls', file, opts.sizeBytes, opts.chunkBytes, tlsFiles, timeoutMs)
    tls.push(s.mbps)
    log(`node:tls${tag}: ${s.mbps.toFixed(0)} MB/s (${s.ms.toFixed(0)} ms)`)
    t = Date.now()
    const m = await runMediaswarm({ tmp, mediaDir, fileName, sizeBytes: opts.sizeBytes, inputSha256, run, timeoutMs }, log)
    ms.push(m)
    log(`mediaswarm${tag}: ${m.mbps.toFixed(0)} MB/s (${m.transferMs.toFixed(0)} ms transfer, ` +
      `${((Date.now() - t) / 1000).toFixed(1)} s wall), tracker peak RSS ${(m.trackerPeakRssBytes / MB).toFixed(0)} MB, ` +
      `peer peak RSS ${(m.peerPeakRssBytes / MB).toFixed(0)} MB, tracker CPU during get ${m.trackerCpuSecondsDuringGet.toFixed(1)} s, output verified`)
  }

  const netMBps = median(net)
  const tlsMBps = median(tls)
  const mediaswarmMBps = median(ms.map((m) => m.mbps))
  const result = {
    sizeBytes: opts.sizeBytes,
    netMBps: round1(netMBps),
    tlsMBps: round1(tlsMBps),
    mediaswarmMBps: round1(mediaswarmMBps),
    ratioToTls: round3(mediaswarmMBps / tlsMBps),
    // peak RSS: the worst run (the same as the only run when --runs 1)
    trackerPeakRssMB: round1(Math.max(...ms.map((m) => m.trackerPeakRssBytes)) / MB),
    peerPeakRssMB: round1(Math.max(...ms.map((m) => m.peerPeakRssBytes)) / MB),
    targets: TARGETS,
    ...(opts.runs > 1 ? { runs: opts.runs } : {}),
    node: process.version
  }
  console.log(JSON.stringify(result))
}

await runBench(async () => { await main(parseArgs(process.argv.slice(2))) }, cleanup)
